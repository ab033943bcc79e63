import {
  ChargeRefunded,
  type Currency,
  InvalidInput,
  MinorUnits,
  OrderId,
  type PaymentEvent,
  PaymentFailed,
  PaymentGatewayError,
  PaymentIntentId,
  PaymentPending,
  type PaymentRefused,
  PaymentSucceeded,
  SessionExpired,
  SessionId,
  StripeEventId,
  Unrecognized,
} from "@settle/domain"
import { Effect, Either, Schema } from "effect"
import type Stripe from "stripe"
import {
  decodeEitherWith,
  decodeWith,
  EventEnvelope,
  ExpandablePaymentIntent,
  FailedPaymentIntent,
  nullByDefault,
  orderIdOf,
  PaidSession,
  PaymentStatus,
  RefundedCharge,
  SessionHead,
  StripeCurrency,
  StripeRefund,
} from "./StripeObjects.js"
import { stripeCall } from "./stripeCall.js"

/** The event types Settle acts on; every other type decodes to Unrecognized. */
export const SETTLE_EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "payment_intent.payment_failed",
  "charge.refunded",
] as const
export type SettleEventType = (typeof SETTLE_EVENT_TYPES)[number]

export const isSettleEventType = (type: string): type is SettleEventType =>
  (SETTLE_EVENT_TYPES as ReadonlyArray<string>).includes(type)

/** A delayed payment's session says nothing about why it failed. */
export const ASYNC_PAYMENT_FAILED_REASON = "async_payment_failed"

type Common = { readonly eventId: StripeEventId; readonly type: string }
type Decoded = Effect.Effect<PaymentEvent, InvalidInput | PaymentGatewayError | PaymentRefused>

const invalidAt =
  (prefix: string) =>
  (issue: { readonly path: string; readonly message: string }): InvalidInput => {
    const field = [prefix, issue.path].filter((part) => part !== "").join(".")
    return new InvalidInput({ field: field === "" ? "(root)" : field, message: issue.message })
  }

/** Each of Settle's object schemas, its parser built once at load instead of per event. */
const objectDecoder = <A, I>(schema: Schema.Schema<A, I>) =>
  decodeEitherWith(schema, invalidAt("data.object"))

const decodeEnvelope = decodeEitherWith(EventEnvelope, invalidAt(""))
const decodeSessionHead = objectDecoder(SessionHead)
const decodePaymentStatus = objectDecoder(Schema.Struct({ payment_status: PaymentStatus }))
const decodePaidSession = objectDecoder(PaidSession)
const decodeFailedSession = objectDecoder(
  Schema.Struct({ payment_intent: nullByDefault(ExpandablePaymentIntent) }),
)
const decodeFailedIntent = objectDecoder(FailedPaymentIntent)
const decodeRefundedCharge = objectDecoder(RefundedCharge)

/** What an event's object reads as, without a provider call: decoded synchronously, no fiber steps. */
type Read = Either.Either<PaymentEvent, InvalidInput>

type Session = Common & { readonly sessionId: SessionId; readonly orderId: OrderId | null }

const validSucceeded = Schema.validateSync(PaymentSucceeded)

/**
 * PaymentSucceeded.make, validated the same way, by a validator built once: `make` works out the
 * schema's type and merges its constructor defaults on every call, a sizeable part of a delivery's decoding.
 */
const succeeded = (fields: Omit<PaymentSucceeded, "_tag">): PaymentSucceeded =>
  validSucceeded({ _tag: "PaymentSucceeded", ...fields })

const paid = (session: Session, object: unknown): Read =>
  Either.map(decodePaidSession(object), (money) =>
    succeeded({
      ...session,
      paymentIntentId: money.payment_intent,
      amount: { amount: money.amount_total, currency: money.currency },
    }),
  )

const completed = (session: Session, object: unknown): Read =>
  Either.flatMap(decodePaymentStatus(object), ({ payment_status }) =>
    // no_payment_required: nothing was owed, so the session finalizes like a paid one.
    payment_status === "unpaid" ? Either.right(PaymentPending.make(session)) : paid(session, object),
  )

const asyncFailed = (session: Session, object: unknown): Read =>
  Either.map(decodeFailedSession(object), ({ payment_intent }) =>
    PaymentFailed.make({
      ...session,
      paymentIntentId: payment_intent,
      reason: ASYNC_PAYMENT_FAILED_REASON,
    }),
  )

const sessionEvent =
  (decide: (session: Session, object: unknown) => Read) =>
  (common: Common, object: unknown): Read =>
    Either.flatMap(decodeSessionHead(object), (head) =>
      // Settle opens payment-mode sessions only: a subscription or setup session belongs to someone else.
      head.mode === "payment"
        ? decide({ ...common, sessionId: head.id, orderId: orderIdOf(head) }, object)
        : Either.right(Unrecognized.make(common)),
    )

const paymentFailed = (common: Common, object: unknown): Read =>
  Either.map(decodeFailedIntent(object), (intent) =>
    PaymentFailed.make({
      ...common,
      sessionId: null,
      paymentIntentId: intent.id,
      orderId: intent.metadata?.orderId ?? null,
      reason: intent.last_payment_error?.message ?? intent.last_payment_error?.code ?? "payment_failed",
    }),
  )

const malformedList = (issue: { readonly path: string; readonly message: string }) =>
  new PaymentGatewayError({
    message: `Stripe answered a malformed refund list at ${issue.path}: ${issue.message}`,
  })

const decodeRefundList = decodeWith(Schema.Array(StripeRefund), malformedList)

/** Since API version 2022-11-15 a charge no longer embeds its refunds: ask Stripe for them. */
const listRefunds = (stripe: Stripe, paymentIntentId: PaymentIntentId) =>
  stripeCall("refunds.list", () =>
    stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 }).autoPagingToArray({ limit: 10_000 }),
  ).pipe(Effect.flatMap(decodeRefundList))

/** Failed and canceled refunds gave no money back, so they are not part of what the charge reports. */
const movedMoney = (refund: StripeRefund) => refund.status !== "failed" && refund.status !== "canceled"

const chargeRefunded = (common: Common, object: unknown, stripe: Stripe): Decoded =>
  Effect.gen(function* () {
    const charge = yield* decodeRefundedCharge(object)
    // A charge without a payment intent was not made through Checkout, so no order of Settle's has it.
    if (charge.payment_intent === null) return Unrecognized.make(common)
    const newestFirst =
      charge.refunds !== null && !charge.refunds.has_more
        ? charge.refunds.data
        : yield* listRefunds(stripe, charge.payment_intent)
    return ChargeRefunded.make({
      ...common,
      paymentIntentId: charge.payment_intent,
      // Stripe lists newest first; the domain records them in the order they happened.
      refunds: [...newestFirst]
        .reverse()
        .filter(movedMoney)
        .map((refund) => ({
          refundId: refund.id,
          amount: { amount: refund.amount, currency: refund.currency },
        })),
    })
  })

/** The types read from the event alone; charge.refunded may have to ask Stripe for its refunds. */
const readers: Record<
  Exclude<SettleEventType, "charge.refunded">,
  (common: Common, object: unknown) => Read
> = {
  "checkout.session.completed": sessionEvent(completed),
  "checkout.session.async_payment_succeeded": sessionEvent(paid),
  "checkout.session.async_payment_failed": sessionEvent(asyncFailed),
  "checkout.session.expired": sessionEvent((session) => Either.right(SessionExpired.make(session))),
  "payment_intent.payment_failed": paymentFailed,
}

const isEventId = Schema.is(StripeEventId)
const isSessionId = Schema.is(SessionId)
const isOrderId = Schema.is(OrderId)
const isPaymentIntentId = Schema.is(PaymentIntentId)
const isAmount = Schema.is(MinorUnits)
const isStripeCurrency = Schema.is(Schema.encodedBoundSchema(StripeCurrency))

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The delivery Settle receives most, a paid (or free) payment-mode session's completion, read field by
 * field with the same schemas' guards and built as those schemas would build it: no parse tree, no
 * intermediate objects (a schema decode of the event was about half of a duplicate's CPU and most of
 * what it allocated). It reads only the shape Stripe sends (metadata and client_reference_id present,
 * null or set; payment_intent an id); anything else, a malformed event included, is undefined here and
 * is read step by step, which decides what it is and names the first field that is wrong.
 */
const paidCompletion = (payload: unknown): PaymentSucceeded | undefined => {
  if (!isRecord(payload) || payload.type !== "checkout.session.completed" || payload.object !== "event")
    return undefined
  const { id, data } = payload
  if (!isEventId(id) || !isRecord(data)) return undefined
  const session = data.object
  if (!isRecord(session) || session.object !== "checkout.session" || session.mode !== "payment")
    return undefined
  const status = session.payment_status
  if (status !== "paid" && status !== "no_payment_required") return undefined
  const { metadata, client_reference_id: reference, payment_intent: intent, amount_total: amount } = session
  const currency = session.currency
  if (!isSessionId(session.id) || !isPaymentIntentId(intent) || !isAmount(amount)) return undefined
  if (!isStripeCurrency(currency)) return undefined
  if (reference !== null && !isOrderId(reference)) return undefined
  if (metadata !== null && !isRecord(metadata)) return undefined
  const fromMetadata = metadata?.orderId
  if (fromMetadata !== undefined && !isOrderId(fromMetadata)) return undefined
  return {
    _tag: "PaymentSucceeded",
    eventId: id,
    type: "checkout.session.completed",
    sessionId: session.id,
    orderId: fromMetadata ?? reference,
    paymentIntentId: intent,
    amount: { amount, currency: currency.toUpperCase() as Currency },
  }
}

/**
 * The event of a verified payload, read from the payload alone (an Either), or, for charge.refunded,
 * an Effect, since its refunds may have to be asked of Stripe.
 */
export const readEvent = (stripe: Stripe, payload: unknown): Read | Decoded => {
  const completion = paidCompletion(payload)
  if (completion !== undefined) return Either.right(completion)
  const envelope = decodeEnvelope(payload)
  if (Either.isLeft(envelope)) return Either.left(envelope.left)
  const { id, type, data } = envelope.right
  const common = { eventId: id, type }
  if (!isSettleEventType(type)) return Either.right(Unrecognized.make(common))
  if (type === "charge.refunded") return chargeRefunded(common, data.object, stripe)
  return readers[type](common, data.object)
}

/**
 * A verified Stripe event (the parsed JSON) as the domain's PaymentEvent. A known type whose object
 * lacks what Settle needs is InvalidInput naming the field (`data.object.amount_total`).
 */
export const decodeEvent = (stripe: Stripe, payload: unknown): Decoded =>
  Effect.suspend((): Decoded => {
    const read = readEvent(stripe, payload)
    if (!Either.isEither(read)) return read
    return Either.isRight(read) ? Effect.succeed(read.right) : Effect.fail(read.left)
  })
