import { Context, Effect, FiberRef, HashMap, Option } from "effect"
import { OrderNotFound } from "../errors.js"
import type { OrderId, PaymentIntentId, SessionId, StripeEventId } from "../model/Ids.js"
import type { Order } from "../model/Order.js"
import { type PaymentEvent, Unrecognized } from "../model/PaymentEvent.js"
import { Clock } from "../ports/Clock.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { WebhookEventInbox } from "../ports/WebhookEventInbox.js"
import { finalizeFreshPayment, finalizePayment } from "./finalizePayment.js"
import { recordProviderRefund } from "./refundOrder.js"
import { releaseOrder } from "./releaseOrder.js"

export type EventOutcome =
  | { readonly _tag: "Duplicate" }
  | { readonly _tag: "Processed"; readonly orderId: OrderId | null; readonly detail: string }
  /** Acknowledged (2xx) but left `error`: amount mismatch is potential fraud and is never retried. */
  | { readonly _tag: "AmountMismatch"; readonly orderId: OrderId }
  /**
   * Acknowledged (2xx) and left `error`: the event names an order that is not there, and it is older
   * than the window in which a lagging write could still bring the order.
   */
  | { readonly _tag: "Orphaned"; readonly key: string }

export interface EventOptions {
  /** Stripe's `created` for the event; without it, when Settle first received it. */
  readonly created?: Date | null
  /**
   * How long after `created` an event naming a missing order is retried (5xx); past it the event is
   * acknowledged as orphaned. Without it, a missing order is always retried (replays, tests).
   */
  readonly orphanWindowMs?: number
  /**
   * Log the outcome, `[stripe.webhook] <type> <eventId>: <outcome>` with the orderId (the webhook
   * route's one line per delivery); not for a failure, which is logged as such.
   */
  readonly logOutcome?: boolean
}

interface OrderKeys {
  readonly sessionId?: SessionId | null
  readonly paymentIntentId?: PaymentIntentId | null
  readonly orderId?: OrderId | null
}

/** Find the order an event is about: by session, then payment intent, then the orderId in metadata. */
const findOrder = (keys: OrderKeys) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    if (keys.sessionId) {
      const found = yield* orders.findBySessionId(keys.sessionId)
      if (Option.isSome(found)) return found
    }
    if (keys.paymentIntentId) {
      const found = yield* orders.findByPaymentIntentId(keys.paymentIntentId)
      if (Option.isSome(found)) return found
    }
    return keys.orderId ? yield* orders.findById(keys.orderId) : Option.none<Order>()
  })

/** An event naming one of our orders that we cannot find is retried (5xx); one naming none is not ours. */
const requireOrder = (keys: OrderKeys) =>
  Effect.flatMap(findOrder(keys), (found) =>
    Option.isSome(found)
      ? Effect.succeed(found)
      : keys.orderId
        ? Effect.fail(new OrderNotFound({ key: keys.orderId }))
        : Effect.succeed(Option.none<Order>()),
  )

const processed = (
  order: Option.Option<Order>,
  detail: string,
): Extract<EventOutcome, { _tag: "Processed" }> => ({
  _tag: "Processed",
  orderId: Option.isSome(order) ? order.value.id : null,
  detail,
})

const dispatch = (event: PaymentEvent) =>
  Effect.gen(function* () {
    switch (event._tag) {
      case "PaymentSucceeded": {
        const payment = {
          sessionId: event.sessionId,
          paymentIntentId: event.paymentIntentId,
          amount: event.amount,
        }
        // A first delivery for a pending order it matches pays it in the write itself, with no lookup
        // before it; anything else (no orderId, a retry, a mismatch) is looked up and decided below.
        const fresh = event.orderId
          ? yield* finalizeFreshPayment(event.orderId, payment, event.eventId)
          : Option.none()
        const order = Option.isSome(fresh) ? Option.some(fresh.value.order) : yield* requireOrder(event)
        if (Option.isNone(order)) return processed(order, "not_our_session")
        const outcome = Option.isSome(fresh)
          ? fresh.value
          : yield* finalizePayment(order.value, payment, event.eventId)
        if (outcome._tag === "AmountMismatch")
          return { _tag: "AmountMismatch", orderId: order.value.id } as const
        return processed(order, outcome._tag)
      }
      case "SessionExpired":
      case "PaymentFailed": {
        const order = yield* requireOrder(event)
        if (Option.isNone(order)) return processed(order, "not_our_session")
        // The state machine decides: an expiry or failure after the payment changes nothing.
        if (order.value.status !== "pending") return processed(order, `ignored_in_${order.value.status}`)
        const at = yield* (yield* Clock).now
        yield* releaseOrder(order.value, event._tag === "SessionExpired" ? "expire" : "cancel", at)
        return processed(order, event._tag === "SessionExpired" ? "expired" : "cancelled")
      }
      case "ChargeRefunded": {
        const order = yield* recordProviderRefund(event)
        return processed(Option.some(order), "refund_recorded")
      }
      case "PaymentPending":
        return processed(yield* findOrder(event), "awaiting_async_payment")
      case "Unrecognized":
        return processed(Option.none(), "unrecognized_type")
    }
  })

/** A missing order is retried while it could still appear; past the window the event is orphaned. */
const orphanedOr = (event: PaymentEvent, missing: OrderNotFound, options: EventOptions) =>
  Effect.gen(function* () {
    if (options.orphanWindowMs === undefined) return yield* missing
    const created =
      options.created ??
      Option.getOrNull(
        Option.map(yield* (yield* WebhookEventInbox).find(event.eventId), (record) => record.createdAt),
      )
    const now = yield* (yield* Clock).now
    if (created === null || now.getTime() - created.getTime() < options.orphanWindowMs) return yield* missing
    return { _tag: "Orphaned", key: missing.key } as const satisfies EventOutcome
  })

/**
 * The outcome's line. It runs inside the event's annotation scope, which puts the annotations back as
 * they were when it ends, so the orderId is set rather than scoped: a scope of its own is a dozen
 * fiber steps and two copies of the fiber's references, for one line on every delivery.
 */
const logOutcome = (event: PaymentEvent, outcome: EventOutcome) =>
  Effect.zipRight(
    FiberRef.update(
      FiberRef.currentLogAnnotations,
      HashMap.set<string, unknown>(
        "orderId",
        outcome._tag === "Processed" || outcome._tag === "AmountMismatch" ? outcome.orderId : null,
      ),
    ),
    Effect.logInfo(`[stripe.webhook] ${event.type} ${event.eventId}: ${outcome._tag}`),
  )

/**
 * Steps 1 and 6 around finalization: record the delivery in the inbox (a processed event is a
 * duplicate and costs one round trip), dispatch, then mark the event processed or error. A failure
 * stays in the error channel so the webhook answers 5xx and Stripe retries.
 */
export const handlePaymentEvent = (event: PaymentEvent, options: EventOptions = {}) =>
  Effect.annotateLogs(
    options.logOutcome === true
      ? Effect.tap(handleEvent(event, options), (outcome) => logOutcome(event, outcome))
      : handleEvent(event, options),
    { stripeEventId: event.eventId, type: event.type },
  )

const handleEvent = (event: PaymentEvent, options: EventOptions) =>
  Effect.gen(function* () {
    // The three ports in one step: every delivery, a duplicate included, runs this.
    const ports = yield* Effect.context<WebhookEventInbox | Metrics | Clock>()
    const inbox = Context.get(ports, WebhookEventInbox)
    const metrics = Context.get(ports, Metrics)
    const clock = Context.get(ports, Clock)
    const received = yield* inbox.receive(event, yield* clock.now)
    yield* metrics.webhookEvent("received", event.type)
    if (received._tag === "Duplicate") {
      yield* metrics.webhookEvent("duplicate", event.type)
      return { _tag: "Duplicate" } as const satisfies EventOutcome
    }
    if (received._tag === "Retry") yield* metrics.webhookEvent("retry", event.type)
    // Recording the outcome is part of processing: a failure to mark the event answers 5xx like any
    // other, so it must leave the event `error` and be counted as one.
    const { outcome, finished } = yield* Effect.gen(function* () {
      const outcome: EventOutcome = yield* dispatch(event).pipe(
        Effect.catchTag("OrderNotFound", (missing) => orphanedOr(event, missing, options)),
      )
      if (outcome._tag === "Orphaned") {
        const reason = `orphaned: no order ${outcome.key} within ${Math.round((options.orphanWindowMs ?? 0) / 1000)} s of the event`
        yield* inbox.markError(event.eventId, null, reason, yield* clock.now)
        yield* metrics.webhookEvent("orphaned", event.type)
        yield* Effect.logWarning(
          `[stripe.webhook] ${event.type} ${event.eventId}: orphaned (no order ${outcome.key}); acknowledged`,
        )
        return { outcome, finished: false }
      }
      if (outcome._tag === "AmountMismatch") {
        yield* inbox.markError(event.eventId, outcome.orderId, "amount_mismatch", yield* clock.now)
        yield* metrics.webhookEvent("error", event.type)
        return { outcome, finished: false }
      }
      const finished = yield* inbox.markProcessed(event.eventId, outcome.orderId, yield* clock.now)
      return { outcome, finished }
    }).pipe(
      Effect.tapError((error) =>
        Effect.gen(function* () {
          yield* metrics.webhookEvent("error", event.type)
          yield* Effect.logError(`[stripe.webhook] processing failed: ${error._tag}`)
          yield* inbox
            .markError(event.eventId, null, `${error._tag}: ${error.message}`, yield* clock.now)
            .pipe(Effect.ignore)
        }),
      ),
    )
    // A delivery that ran beside another one of the same event did no harm (every step is
    // conditional), but only the one that finished the event counts as processed.
    if (outcome._tag !== "AmountMismatch" && outcome._tag !== "Orphaned") {
      yield* metrics.webhookEvent(finished ? "processed" : "duplicate", event.type)
    }
    return outcome
  })

/**
 * A signed event Settle cannot decode (an unknown shape, missing fields, nested too deep): retrying
 * would bring the same bytes, so it is acknowledged, recorded `error` with the reason for an operator
 * (`pnpm ops unfinalized-events` lists it) and counted as an error. A repeated delivery records nothing
 * new but the attempt.
 */
export const recordUndecodableEvent = (eventId: StripeEventId, type: string, reason: string) =>
  Effect.gen(function* () {
    const inbox = yield* WebhookEventInbox
    const metrics = yield* Metrics
    const clock = yield* Clock
    const received = yield* inbox.receive(Unrecognized.make({ eventId, type }), yield* clock.now)
    yield* metrics.webhookEvent("received", type)
    if (received._tag === "Duplicate") {
      yield* metrics.webhookEvent("duplicate", type)
      return received
    }
    yield* inbox.markError(eventId, null, `undecodable: ${reason}`, yield* clock.now)
    yield* metrics.webhookEvent("error", type)
    yield* Effect.logError(`[stripe.webhook] ${type} ${eventId}: undecodable (${reason}); acknowledged`)
    return received
  }).pipe(Effect.annotateLogs({ stripeEventId: eventId, type }))
