import {
  AdminRefundRequest,
  decodeInput,
  InternalNoteRequest,
  InvalidInput,
  OrderId,
  ReviewResolutionRequest,
  SessionId,
  StripeEventId,
} from "@settle/domain"
import { Effect, Schema } from "effect"
import { nonBlankText } from "../schemas/common.js"

/**
 * Request bodies of the admin order routes. The use-cases decode their input again; these add what
 * the edge requires on top (a reason on every money-moving or replaying call) and keep the actor and
 * the order id out of the body: they come from the token and the path, never from the client's JSON.
 */

const reason = (max: number) =>
  Schema.Trim.pipe(
    Schema.minLength(1, { message: () => "reason must not be empty" }),
    Schema.maxLength(max, { message: () => `reason must be at most ${max} characters` }),
  ).annotations(nonBlankText(max))

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

/** `:id` in an order route's path. */
export const orderIdOf = (id: string | undefined) =>
  Effect.map(decodeInput(Schema.Struct({ id: OrderId }))({ id }), (decoded) => decoded.id)

/** `POST /admin/orders/:id/refunds`: amount in minor units (default: all that is left), required reason. */
export const RefundBody = Schema.Struct({
  amount: optional(AdminRefundRequest.fields.amount.from),
  reason: reason(500),
  restock: optional(Schema.Boolean),
  requestId: optional(
    AdminRefundRequest.fields.requestId.from.annotations({
      jsonSchema: { type: "string", pattern: "^(?![0-9]+$)[A-Za-z0-9_-]{1,64}$" },
    }),
  ),
})

export const decodeRefundBody = decodeInput(RefundBody)

/** `POST /admin/orders/:id/review/accept` and `…/review/refund`: the decision's reason, required. */
export const ReviewBody = Schema.Struct({
  reason: ReviewResolutionRequest.fields.reason.annotations(nonBlankText(500)),
})

export const decodeReviewBody = decodeInput(ReviewBody)

/** `POST /admin/orders/:id/notes`. */
export const NoteBody = Schema.Struct({
  note: InternalNoteRequest.fields.note.annotations(nonBlankText(2000)),
})

export const decodeNoteBody = decodeInput(NoteBody)

/** `POST /admin/payments/replay`; exactly one of the two ids, checked by `decodeReplayBody`. */
const ReplayBody = Schema.Struct({
  sessionId: optional(SessionId),
  stripeEventId: optional(StripeEventId),
  reason: reason(2000),
})

/** The replay body as the document states it: one of the two ids, never both. */
export const ReplayBodyDocument = Schema.Union(
  Schema.Struct({ sessionId: SessionId, reason: reason(2000) }),
  Schema.Struct({ stripeEventId: StripeEventId, reason: reason(2000) }),
)

export type ReplayTarget =
  | { readonly sessionId: SessionId; readonly reason: string }
  | { readonly stripeEventId: StripeEventId; readonly reason: string }

/** `POST /admin/payments/replay`: exactly one of sessionId and stripeEventId, and a reason. */
export const decodeReplayBody = (body: unknown): Effect.Effect<ReplayTarget, InvalidInput> =>
  Effect.flatMap(
    decodeInput(ReplayBody)(body),
    ({ sessionId, stripeEventId, reason }): Effect.Effect<ReplayTarget, InvalidInput> => {
      if (sessionId !== undefined && stripeEventId === undefined) return Effect.succeed({ sessionId, reason })
      if (stripeEventId !== undefined && sessionId === undefined) {
        return Effect.succeed({ stripeEventId, reason })
      }
      return Effect.fail(
        new InvalidInput({ field: "sessionId", message: "give exactly one of sessionId or stripeEventId" }),
      )
    },
  )
