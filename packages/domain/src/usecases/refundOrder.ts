import { Effect, Option } from "effect"
import {
  CurrencyMismatch,
  type IllegalTransition,
  type InvalidInput,
  OrderNotFound,
  type PaymentGatewayError,
  type PaymentRefused,
  RefundExceedsCaptured,
  RequestIdReused,
  type StoreError,
  WriteConflict,
} from "../errors.js"
import type { OrderId } from "../model/Ids.js"
import type { Order, Refund } from "../model/Order.js"
import { type OrderStatus, sourcesOf } from "../model/OrderStatus.js"
import type { ChargeRefunded } from "../model/PaymentEvent.js"
import { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import { Ledger } from "../ports/Ledger.js"
import { Metrics } from "../ports/Metrics.js"
import { OrderRepository } from "../ports/OrderRepository.js"
import { PaymentGateway } from "../ports/PaymentGateway.js"
import { ProductCatalog } from "../ports/ProductCatalog.js"
import { type AuditEntry, recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"
import {
  AdminRefundRequest,
  adminRefundId,
  capturedOf,
  chargeCurrency,
  findRefund,
  needsFullyRefunded,
  planRefund,
  providerRefundId,
  refundMoney,
  refundSnapshot,
  restockLines,
  unfinishedRefund,
} from "./refundPlan.js"

/** Re-reads after a lost conditional write before giving up with WriteConflict. */
const MAX_ATTEMPTS = 3
const REFUNDABLE_FROM = sourcesOf("refund_partially")

export type RefundServices =
  | OrderRepository
  | PaymentGateway
  | Ledger
  | ProductCatalog
  | Metrics
  | AuditLog
  | IdGenerator
  | Clock

export type RefundError =
  | InvalidInput
  | OrderNotFound
  | IllegalTransition
  | RefundExceedsCaptured
  | PaymentGatewayError
  | PaymentRefused
  | RequestIdReused
  | StoreError
  | WriteConflict

const loadOrder = (id: OrderId) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findById(id)).pipe(
    Effect.flatMap(
      Option.match({
        onNone: () => Effect.fail(new OrderNotFound({ key: id })),
        onSome: (order) => Effect.succeed(order),
      }),
    ),
  )

/** The write that reached the captured amount repairs the status its stale read computed. */
const settleStatus = (order: Order, captured: number, at: Date) =>
  needsFullyRefunded(order, captured)
    ? Effect.flatMap(OrderRepository, (orders) =>
        orders.transition(order.id, ["partially_refunded"], { status: "refunded" }, at),
      ).pipe(Effect.map(Option.getOrElse(() => order)))
    : Effect.succeed(order)

/** The refund's ledger entry; (kind, gateway refund id) keeps it single. */
export const ledgerRefund = (
  order: Order,
  refundId: string,
  amount: number,
  gatewayRefundId: string,
  at: Date,
) =>
  Effect.gen(function* () {
    yield* (yield* Ledger).append({
      id: yield* (yield* IdGenerator).next("led"),
      orderId: order.id,
      kind: "refund",
      amount: refundMoney(order, amount),
      externalId: gatewayRefundId,
      idempotencyKey: refundId,
      createdAt: at,
    })
  })

/**
 * Give back the amount of a reserved refund the gateway refused: the refund leaves the order and the
 * status becomes what `statusAfter` says of what is still refunded. Conditional on the order not having
 * moved since it was read, re-read on a lost race; a refund already gone or carrying a gateway id is
 * left alone. Should this fail, the refund stays reserved and repeating the request releases it.
 */
export const releaseRefused = (
  orderId: OrderId,
  refundId: string,
  statusAfter: (stillRefunded: number) => OrderStatus,
) =>
  Effect.gen(function* () {
    const orders = yield* OrderRepository
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = yield* loadOrder(orderId)
      const reserved = findRefund(current, refundId)
      if (reserved === undefined || reserved.gatewayRefundId !== null) return current
      const still = current.payment.amountRefunded - reserved.amount
      const at = yield* (yield* Clock).now
      const released = yield* orders.releaseRefund(orderId, refundId, current.version, statusAfter(still), at)
      if (Option.isSome(released)) {
        yield* Effect.logWarning(`[orders.refund] refund ${refundId} refused by the provider: released`).pipe(
          Effect.annotateLogs({ orderId, refundId, amount: reserved.amount }),
        )
        return released.value
      }
    }
    return yield* new WriteConflict({ entity: "orders", id: orderId })
  })

/** An admin refund's order after its release: partially refunded while other refunds remain. */
const statusAfterAdminRelease = (stillRefunded: number): OrderStatus =>
  stillRefunded > 0 ? "partially_refunded" : "confirmed"

/**
 * The gateway call of a refund already reserved on the order. Stripe's idempotency on refund.id makes
 * it safe to repeat after a crash or a failure. The amount stays reserved while the provider may yet
 * have made it (unavailable); a refusal made nothing, and the caller releases it. Either way the
 * attempt is counted and audited with the entry `failed` makes.
 */
export const refundAtGateway = (order: Order, refund: Refund, failed: (error: string) => AuditEntry) =>
  Effect.gen(function* () {
    const metrics = yield* Metrics
    const paymentIntentId = order.payment.paymentIntentId
    if (paymentIntentId === null) {
      return yield* new RefundExceedsCaptured({
        requested: refund.amount,
        refundable: 0,
        currency: chargeCurrency(order),
      })
    }
    return yield* (yield* PaymentGateway)
      .refund({
        paymentIntentId,
        amount: refundMoney(order, refund.amount),
        idempotencyKey: refund.id,
        reason: refund.reason,
      })
      .pipe(
        Effect.tapError((error) =>
          Effect.zipRight(metrics.refundOperation("failure"), recordAudit(failed(error.message))),
        ),
      )
  })

/** Steps 2-6 for a refund already reserved on the order; also the resumption of one whose gateway call failed. */
const completeRefund = (order: Order, refund: Refund, actor: string, before: unknown) =>
  Effect.gen(function* () {
    const metrics = yield* Metrics
    const issued = yield* refundAtGateway(order, refund, (error) => ({
      actor,
      action: "order.refund_failed",
      orderId: order.id,
      reason: refund.reason,
      before,
      after: { ...refundSnapshot(order), refundId: refund.id, error },
    })).pipe(
      Effect.tapErrorTag("PaymentRefused", () =>
        releaseRefused(order.id, refund.id, statusAfterAdminRelease).pipe(Effect.ignore),
      ),
    )
    const at = yield* (yield* Clock).now
    // Ledger before the gateway id: a refund that carries its gateway id always has its ledger entry,
    // so a repeated request may return it without touching anything.
    yield* ledgerRefund(order, refund.id, refund.amount, issued.refundId, at)
    const marked = yield* (yield* OrderRepository).setGatewayRefundId(
      order.id,
      refund.id,
      issued.refundId,
      at,
    )
    const after = Option.getOrElse(marked, () => order)
    const done: Refund = { ...refund, gatewayRefundId: issued.refundId }
    // After the gateway id, never before: restock is not idempotent, and a crash here losing a restock
    // is repaired by hand while a doubled one would sell stock that does not exist.
    // Only the writer that set the gateway id restocks, so two resumes of one refund restock once.
    const catalog = yield* ProductCatalog
    for (const line of Option.isSome(marked) ? restockLines(after, done) : []) {
      yield* catalog.restock(line.productId, line.quantity, at)
    }
    yield* metrics.refundOperation("success")
    yield* recordAudit({
      actor,
      action: "order.refund",
      orderId: order.id,
      reason: refund.reason,
      before,
      after: { ...refundSnapshot(after), refundId: refund.id, amount: refund.amount },
    })
    return done
  })

/** The refund ids of the order's failed attempts (its `order.refund_failed` audit records). */
const releasedRefundIds = (orderId: OrderId) =>
  Effect.map(
    Effect.flatMap(AuditLog, (log) => log.listByOrder(orderId)),
    (trail) =>
      trail.flatMap((record) => {
        const after = record.after as { readonly refundId?: unknown } | null
        return record.action === "order.refund_failed" && typeof after?.refundId === "string"
          ? [after.refundId]
          : []
      }),
  )

const reasonOf = (request: AdminRefundRequest): string | null =>
  request.reason === undefined || request.reason === "" ? null : request.reason

/**
 * A requestId names one refund: repeated with the same parameters it is that refund, with others it is
 * a mistake answering with the first refund would hide. An omitted amount asks for what was left, so
 * it matches whatever the refund took.
 */
const sameParameters = (request: AdminRefundRequest, requestId: string, refund: Refund) => {
  const differs =
    request.amount !== undefined && request.amount !== refund.amount
      ? "amount"
      : reasonOf(request) !== refund.reason
        ? "reason"
        : (request.restock ?? false) !== refund.restock
          ? "restock"
          : null
  return differs === null ? Effect.void : Effect.fail(new RequestIdReused({ requestId, field: differs }))
}

const reserveAndRefund = (
  request: AdminRefundRequest,
  attemptsLeft: number,
): Effect.Effect<Refund, RefundError, RefundServices> =>
  Effect.gen(function* () {
    const order = yield* loadOrder(request.orderId)
    const id =
      request.requestId === undefined
        ? adminRefundId(order, undefined, yield* releasedRefundIds(order.id))
        : adminRefundId(order, request.requestId)
    const existing =
      request.requestId === undefined ? unfinishedRefund(order, request.amount) : findRefund(order, id)
    if (existing !== undefined) {
      if (request.requestId !== undefined) yield* sameParameters(request, request.requestId, existing)
      // A crash between a racing append and its status repair leaves partially_refunded at the
      // captured amount; the repeated request is what comes back, so it finishes that repair too.
      const settled = yield* settleStatus(order, capturedOf(order), yield* (yield* Clock).now)
      return existing.gatewayRefundId === null
        ? yield* completeRefund(settled, existing, request.actor, refundSnapshot(order))
        : existing
    }
    const plan = yield* planRefund(order, request.amount)
    const at = yield* (yield* Clock).now
    const refund: Refund = {
      id,
      amount: plan.amount,
      gatewayRefundId: null,
      reason: reasonOf(request),
      restock: request.restock ?? false,
      at,
    }
    // Step 1 reserves the amount atomically against the captured constant before any money moves.
    const orders = yield* OrderRepository
    const appended = yield* orders.appendRefund(
      order.id,
      refund,
      plan.captured,
      REFUNDABLE_FROM,
      plan.status,
      at,
    )
    if (Option.isNone(appended)) {
      const current = yield* loadOrder(order.id)
      // A concurrent copy of this request (same requestId, or the same n) won the race: it is the refund.
      const raced = findRefund(current, id)
      if (raced !== undefined) {
        if (request.requestId !== undefined) yield* sameParameters(request, request.requestId, raced)
        return raced
      }
      yield* planRefund(current, request.amount)
      if (attemptsLeft <= 1) return yield* new WriteConflict({ entity: "orders", id: order.id })
      return yield* reserveAndRefund(request, attemptsLeft - 1)
    }
    const reserved = yield* settleStatus(appended.value, plan.captured, at)
    return yield* completeRefund(reserved, refund, request.actor, refundSnapshot(order))
  })

/**
 * Admin refund (I6): never more than captured, and a request repeated with the same requestId refunds
 * once; a request whose gateway call failed is completed by repeating it.
 */
export const refundOrder = (input: unknown): Effect.Effect<Refund, RefundError, RefundServices> =>
  Effect.flatMap(decodeInput(AdminRefundRequest)(input), (request) => reserveAndRefund(request, MAX_ATTEMPTS))

export type ProviderRefundServices = OrderRepository | Ledger | Metrics | AuditLog | IdGenerator | Clock

type ReportedRefund = (typeof ChargeRefunded.Type)["refunds"][number]

const recordReported = (
  order: Order,
  reported: ReportedRefund,
  eventId: string,
  attemptsLeft: number,
): Effect.Effect<
  Order,
  IllegalTransition | RefundExceedsCaptured | CurrencyMismatch | WriteConflict | StoreError | OrderNotFound,
  ProviderRefundServices
> =>
  Effect.gen(function* () {
    if (order.refunds.some((r) => r.gatewayRefundId === reported.refundId)) return order
    // An admin refund between its gateway call and setGatewayRefundId looks unknown here; failing
    // transiently lets Stripe redeliver once it carries its id, instead of counting it twice.
    if (order.refunds.some((r) => r.gatewayRefundId === null && r.amount === reported.amount.amount)) {
      return yield* new WriteConflict({ entity: "orders", id: order.id })
    }
    const expected = chargeCurrency(order)
    if (reported.amount.currency !== expected) {
      return yield* new CurrencyMismatch({
        field: `refunds.${reported.refundId}.amount`,
        expected,
        actual: reported.amount.currency,
      })
    }
    const plan = yield* planRefund(order, reported.amount.amount)
    const at = yield* (yield* Clock).now
    const id = providerRefundId(order.id, reported.refundId)
    // The money already moved at Stripe, so the ledger records it first; (kind, externalId) keeps it single.
    yield* ledgerRefund(order, id, plan.amount, reported.refundId, at)
    const refund: Refund = {
      id,
      amount: plan.amount,
      gatewayRefundId: reported.refundId,
      reason: null,
      restock: false,
      at,
    }
    const orders = yield* OrderRepository
    const appended = yield* orders.appendRefund(
      order.id,
      refund,
      plan.captured,
      REFUNDABLE_FROM,
      plan.status,
      at,
    )
    if (Option.isNone(appended)) {
      if (attemptsLeft <= 1) return yield* new WriteConflict({ entity: "orders", id: order.id })
      return yield* recordReported(yield* loadOrder(order.id), reported, eventId, attemptsLeft - 1)
    }
    const settled = yield* settleStatus(appended.value, plan.captured, at)
    yield* (yield* Metrics).refundOperation("success")
    yield* recordAudit({
      actor: "stripe",
      action: "order.refund_reported",
      orderId: order.id,
      reason: `charge.refunded ${eventId}`,
      before: refundSnapshot(order),
      after: { ...refundSnapshot(settled), refundId: id, amount: plan.amount },
    })
    return settled
  })

/** `charge.refunded`: Stripe reports all refunds of the charge, so each unseen one is recorded once. */
export const recordProviderRefund = (
  event: typeof ChargeRefunded.Type,
): Effect.Effect<
  Order,
  OrderNotFound | IllegalTransition | RefundExceedsCaptured | CurrencyMismatch | WriteConflict | StoreError,
  ProviderRefundServices
> =>
  Effect.gen(function* () {
    const found = yield* (yield* OrderRepository).findByPaymentIntentId(event.paymentIntentId)
    if (Option.isNone(found)) return yield* new OrderNotFound({ key: event.paymentIntentId })
    let order = found.value
    for (const reported of event.refunds) {
      order = yield* recordReported(order, reported, event.eventId, MAX_ATTEMPTS)
    }
    return order
  })
