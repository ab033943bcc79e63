import { Schema } from "effect"

/**
 * Building blocks of the response schemas: what the server writes, as JSON. Every schema here has the
 * same Type and Encoded side (no transformations), so the view functions are typed by it and the
 * OpenAPI document derived from it describes exactly the bytes sent.
 */

/** A date-time as `Date.prototype.toISOString` writes it. */
export const IsoDateTime = Schema.String.annotations({
  jsonSchema: { type: "string", format: "date-time" },
  description: "ISO 8601 date-time (UTC)",
})

export const NullableDateTime = Schema.NullOr(IsoDateTime)

/** ISO 4217, upper case. */
export const CurrencyCode = Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/))

/** Every amount of money in a response: integer minor units with their currency, never a bare number. */
export const MoneyJson = Schema.Struct({
  amount: Schema.Int.pipe(Schema.nonNegative()),
  currency: CurrencyCode,
}).annotations({ identifier: "Money" })
export type MoneyJson = typeof MoneyJson.Type

export const Count = Schema.Int.pipe(Schema.nonNegative())

/** `nextCursor` of every admin list: pass it back as `cursor` for the next page; null on the last one. */
export const NextCursor = Schema.NullOr(Schema.String)

/** Any JSON value the server keeps as it was given (audit snapshots, job reports). */
export const AnyJson = Schema.Unknown

/**
 * The JSON Schema of a request text the server trims and then requires non-empty (reasons, notes,
 * names): effect's JSON Schema drops a filter on the trimmed value, so the document states it here.
 */
export const nonBlankText = (maxLength: number) => ({
  jsonSchema: { type: "string", minLength: 1, maxLength, pattern: "\\S" },
})

/** The JSON Schema of a non-negative integer the server reads as a JS number (exact up to 2^53 − 1). */
export const safeCount = { jsonSchema: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER } }
