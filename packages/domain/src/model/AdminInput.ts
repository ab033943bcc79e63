import { Schema } from "effect"
import { Actor } from "./AuditRecord.js"

/**
 * The admin's identity as its own field, so a blank actor fails as `actor` rather than at the root.
 * Every admin input is decoded with `onExcessProperty: "error"`, which is also what keeps Mongo
 * operators out: `{ "$gt": "" }` is either an unexpected key or an object where a scalar belongs,
 * and fails naming its path before any store sees it.
 */
export const ActorField = Schema.Struct({ actor: Actor })

/** The version an admin read; pinning it turns a concurrent edit into a conflict instead of a lost update. */
export const ExpectedVersion = Schema.Int.pipe(
  Schema.nonNegative({ message: () => "expectedVersion must be a non-negative integer" }),
)

/**
 * A date, or a date-time with its zone: `new Date()` reads a zoneless time in the server's local zone
 * and accepts oddities like "1" (the year 2001), neither of which an admin means.
 */
const IsoInstant = Schema.compose(
  Schema.String.pipe(
    Schema.pattern(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/),
  ),
  Schema.Date,
)

/** A point in time from JSON (an ISO 8601 string) or from an embedding caller (a Date). */
export const InstantInput = Schema.Union(Schema.ValidDateFromSelf, IsoInstant).annotations({
  message: () => ({ message: "must be an ISO 8601 date-time, e.g. 2030-01-31T23:59:59Z", override: true }),
})
