import { Effect, Option, Schema } from "effect"
import { AlreadyFinalized, EventNotFound, InvalidInput, OrderNotFound } from "../errors.js"
import { Actor } from "../model/AuditRecord.js"
import { SessionId, StripeEventId } from "../model/Ids.js"
import type { Order } from "../model/Order.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { PaymentGateway } from "../ports/PaymentGateway.js"
import { WebhookEventInbox } from "../ports/WebhookEventInbox.js"
import { recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"
import { finalizePayment } from "./finalizePayment.js"
import { handlePaymentEvent } from "./handlePaymentEvent.js"
import { finalizeRecorded } from "./reconcileOrders.js"

const Reason = Schema.Trim.pipe(
  Schema.minLength(1, { message: () => "reason must not be empty" }),
  Schema.maxLength(2000),
)

export const ReplayRequest = Schema.Union(
  Schema.Struct({ sessionId: SessionId, actor: Actor, reason: Reason }),
  Schema.Struct({ stripeEventId: StripeEventId, actor: Actor, reason: Reason }),
)

const refuseFinalized = (order: Order) =>
  order.webhook.processedAt !== null ? Effect.fail(new AlreadyFinalized({ orderId: order.id })) : Effect.void

/** By session: the provider's current state of the session is the evidence of payment. */
const replaySession = (sessionId: SessionId) =>
  Effect.gen(function* () {
    const found = yield* (yield* OrderRepository).findBySessionId(sessionId)
    if (Option.isNone(found)) return yield* new OrderNotFound({ key: sessionId })
    const order = found.value
    yield* refuseFinalized(order)
    const state = yield* (yield* PaymentGateway).retrieveSession(sessionId)
    if (state.status === "complete" && state.paymentStatus === "paid" && state.paymentIntentId !== null) {
      const outcome = yield* finalizePayment(
        order,
        { sessionId, paymentIntentId: state.paymentIntentId, amount: state.amount },
        null,
      )
      return { order, result: outcome._tag }
    }
    const outcome = yield* finalizeRecorded(order)
    return {
      order,
      result: outcome === null ? `session_${state.status}_${state.paymentStatus}` : outcome._tag,
    }
  })

/** By event: the recorded payload is run through the same handler a Stripe redelivery would take. */
const replayEvent = (stripeEventId: StripeEventId) =>
  Effect.gen(function* () {
    const record = yield* (yield* WebhookEventInbox).find(stripeEventId)
    if (Option.isNone(record)) return yield* new EventNotFound({ stripeEventId })
    const payload = record.value.payload
    if (payload._tag !== "PaymentSucceeded") {
      return yield* new InvalidInput({
        field: "stripeEventId",
        message: `event ${payload.type} carries no payment to finalize`,
      })
    }
    const orders = yield* OrderRepository
    const found = yield* orders.findBySessionId(payload.sessionId)
    if (Option.isNone(found)) return yield* new OrderNotFound({ key: payload.sessionId })
    yield* refuseFinalized(found.value)
    const payment = {
      sessionId: payload.sessionId,
      paymentIntentId: payload.paymentIntentId,
      amount: payload.amount,
    }
    const result =
      record.value.status === "processed"
        ? (yield* finalizePayment(found.value, payment, stripeEventId))._tag
        : (yield* handlePaymentEvent(payload))._tag
    return { order: found.value, result }
  })

/**
 * Runbook scenario 1, step 2: re-trigger finalization for one order by its sessionId or Stripe event
 * id. Refused once `webhook.processedAt` is set, since retries are safe only before. Audited.
 */
export const replayFinalization = (input: unknown) =>
  Effect.gen(function* () {
    const request = yield* decodeInput(ReplayRequest)(input)
    const { order, result } =
      "sessionId" in request
        ? yield* replaySession(request.sessionId)
        : yield* replayEvent(request.stripeEventId)
    const after = yield* (yield* OrderRepository).findById(order.id)
    yield* recordAudit({
      actor: request.actor,
      action: "payment.replay",
      orderId: order.id,
      reason: request.reason,
      before: { status: order.status, processedAt: order.webhook.processedAt },
      after: Option.isSome(after)
        ? { status: after.value.status, processedAt: after.value.webhook.processedAt, result }
        : { result },
    })
    return { orderId: order.id, result, status: Option.isSome(after) ? after.value.status : order.status }
  })
