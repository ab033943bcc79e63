import {
  Currency,
  MinorUnits,
  OrderId,
  PaymentIntentId,
  RefundId,
  SessionId,
  StripeEventId,
} from "@settle/domain"
import { Effect, Either, ParseResult, Schema } from "effect"

/**
 * The parts of Stripe's objects Settle reads, as Schemas: what the API answers and what webhooks carry
 * cross a boundary, so they are decoded, never trusted. Fields Settle does not read are ignored.
 */

/** Stripe writes ISO codes in lower case; the domain's Currency is upper case. */
export const StripeCurrency = Schema.transform(
  Schema.String.pipe(
    Schema.pattern(/^[a-z]{3}$/, { message: () => "currency must be a 3-letter lower-case ISO 4217 code" }),
  ),
  Currency,
  { strict: true, decode: (code) => code.toUpperCase(), encode: (code) => code.toLowerCase() },
)

/** A payment intent reference: its id, or the object itself when the caller asked to expand it. */
export const ExpandablePaymentIntent = Schema.Union(
  PaymentIntentId,
  Schema.transform(Schema.Struct({ id: PaymentIntentId }), Schema.typeSchema(PaymentIntentId), {
    strict: true,
    decode: ({ id }) => id,
    encode: (id) => ({ id }),
  }),
)

/** Stripe sends `null` for an empty field; a payload that leaves it out means the same. */
export const nullByDefault = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/** Settle writes the order id into the metadata of every session and payment intent it opens. */
const OrderMetadata = Schema.Struct({ orderId: Schema.optional(OrderId) })

/** What every checkout.session object tells about its order. */
export const SessionHead = Schema.Struct({
  id: SessionId,
  object: Schema.Literal("checkout.session"),
  mode: Schema.String,
  metadata: nullByDefault(OrderMetadata),
  client_reference_id: nullByDefault(OrderId),
})
export type SessionHead = typeof SessionHead.Type

/** The order a session belongs to: the metadata Settle wrote, else the client reference. */
export const orderIdOf = (head: {
  readonly metadata: { readonly orderId?: OrderId | undefined } | null
  readonly client_reference_id: OrderId | null
}): OrderId | null => head.metadata?.orderId ?? head.client_reference_id

export const PaymentStatus = Schema.Literal("paid", "unpaid", "no_payment_required")

/** A session whose money Settle has to verify: amount and currency must be there. */
export const PaidSession = Schema.Struct({
  payment_intent: ExpandablePaymentIntent,
  amount_total: MinorUnits,
  currency: StripeCurrency,
})

/** A session as the reconciler reads it (`checkout.sessions.retrieve`). */
export const SessionSnapshot = Schema.Struct({
  ...SessionHead.fields,
  status: Schema.Literal("open", "complete", "expired"),
  payment_status: PaymentStatus,
  payment_intent: nullByDefault(ExpandablePaymentIntent),
  amount_total: MinorUnits,
  currency: StripeCurrency,
})

export const FailedPaymentIntent = Schema.Struct({
  id: PaymentIntentId,
  object: Schema.Literal("payment_intent"),
  metadata: nullByDefault(OrderMetadata),
  last_payment_error: nullByDefault(
    Schema.Struct({
      message: Schema.optional(Schema.NullOr(Schema.String)),
      code: Schema.optional(Schema.NullOr(Schema.String)),
    }),
  ),
})

export const StripeRefund = Schema.Struct({
  id: RefundId,
  amount: MinorUnits,
  currency: StripeCurrency,
  status: nullByDefault(Schema.String),
})
export type StripeRefund = typeof StripeRefund.Type

export const RefundedCharge = Schema.Struct({
  object: Schema.Literal("charge"),
  payment_intent: nullByDefault(ExpandablePaymentIntent),
  /** Only in API versions before 2022-11-15, or when the webhook endpoint expands it. */
  refunds: nullByDefault(Schema.Struct({ data: Schema.Array(StripeRefund), has_more: Schema.Boolean })),
})

export const EventEnvelope = Schema.Struct({
  id: StripeEventId,
  object: Schema.Literal("event"),
  type: Schema.String,
  data: Schema.Struct({ object: Schema.Unknown }),
})

/** The first failing path of a decode, joined with dots (`metadata.orderId`), and its message. */
export const firstIssue = (
  error: ParseResult.ParseError,
): { readonly path: string; readonly message: string } => {
  const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
  return { path: first?.path.join(".") ?? "", message: first?.message ?? "invalid" }
}

/**
 * Decode `input` with `schema`, synchronously; a failure is whatever `onError` makes of its first
 * issue. The parser is built once, here, not per input.
 */
export const decodeEitherWith = <A, I, E>(
  schema: Schema.Schema<A, I>,
  onError: (issue: ReturnType<typeof firstIssue>) => E,
) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (input: unknown): Either.Either<A, E> =>
    Either.mapLeft(decode(input), (error) => onError(firstIssue(error)))
}

/** Decode `input` with `schema`; a failure is whatever `onError` makes of its first issue. */
export const decodeWith = <A, I, E>(
  schema: Schema.Schema<A, I>,
  onError: (issue: ReturnType<typeof firstIssue>) => E,
) => {
  const decode = Schema.decodeUnknown(schema)
  return (input: unknown): Effect.Effect<A, E> =>
    decode(input).pipe(Effect.mapError((error) => onError(firstIssue(error))))
}
