import { expect } from "vitest"
import { capturedOf, isOrphaned, type MoneyTrail, type Order, sum } from "./I678Refunds.js"

const sorted = (values: ReadonlyArray<string>): ReadonlyArray<string> => [...values].sort()

/**
 * What must hold after every step, crashes and outages included: nothing beyond the captured amount,
 * the order's books add up, Stripe refunded each idempotency key once, and every ledger refund and
 * every refund carrying a gateway id is a refund Stripe really made, for the same amount.
 */
export const checkRefundSafety = (order: Order, trail: MoneyTrail): void => {
  const captured = capturedOf(order)
  expect(trail.captured, "Stripe's capture is the order's").toBe(captured)
  expect(order.payment.amountRefunded, "amountRefunded ≤ captured").toBeLessThanOrEqual(captured)
  expect(sum(order.refunds.map((r) => r.amount)), "sum(refunds) = amountRefunded").toBe(
    order.payment.amountRefunded,
  )
  const ids = order.refunds.map((r) => r.id)
  expect(new Set(ids).size, "refund ids unique").toBe(ids.length)

  const stripeTotal = sum(trail.stripeRefunds.map((r) => r.amount.amount))
  expect(stripeTotal, "Stripe refunded within the capture").toBeLessThanOrEqual(captured)
  const keys = trail.stripeRefunds.flatMap((r) => (r.idempotencyKey === null ? [] : [r.idempotencyKey]))
  expect(new Set(keys).size, "one Stripe refund per idempotency key").toBe(keys.length)
  const atStripe = new Map(trail.stripeRefunds.map((r) => [r.refundId as string, r]))
  for (const key of keys) {
    // Our keys are our refund ids: a refund Stripe made for a key is one the order reserved.
    const ours = order.refunds.find((r) => r.id === key)
    expect(ours, `Stripe refund ${key} is reserved on the order`).toBeDefined()
    expect(trail.stripeRefunds.find((r) => r.idempotencyKey === key)?.amount.amount).toBe(ours?.amount)
  }

  const external = trail.ledgerRefunds.map((e) => e.externalId)
  expect(new Set(external).size, "one ledger refund per gateway refund id").toBe(external.length)
  for (const entry of trail.ledgerRefunds) {
    expect(atStripe.get(entry.externalId)?.amount.amount, `ledger ${entry.externalId} is at Stripe`).toBe(
      entry.amount.amount,
    )
  }
  for (const refund of order.refunds) {
    if (refund.gatewayRefundId === null) continue
    expect(atStripe.get(refund.gatewayRefundId)?.amount.amount, `${refund.id} is at Stripe`).toBe(
      refund.amount,
    )
    // The ledger is written before the gateway id is set, on both paths.
    expect(external, `${refund.id} has its ledger entry`).toContain(refund.gatewayRefundId)
  }
}

/**
 * Once outages ended and every request and delivery was retried: Stripe, the ledger and the order's
 * gateway ids name the same refunds; only orphaned reservations (no requestId, gateway failed) have
 * none; and the status says refunded exactly when nothing is left, or payment_review for a payment
 * held for review that nobody refunded.
 */
export const checkRefundsConverged = (order: Order, trail: MoneyTrail): void => {
  checkRefundSafety(order, trail)
  const recorded = order.refunds.filter((r) => r.gatewayRefundId !== null)
  const stripeIds = sorted(trail.stripeRefunds.map((r) => r.refundId))
  expect(sorted(recorded.map((r) => r.gatewayRefundId ?? "")), "order ↔ Stripe").toEqual(stripeIds)
  expect(sorted(trail.ledgerRefunds.map((e) => e.externalId)), "ledger ↔ Stripe").toEqual(stripeIds)
  const stripeTotal = sum(trail.stripeRefunds.map((r) => r.amount.amount))
  expect(sum(recorded.map((r) => r.amount))).toBe(stripeTotal)
  expect(sum(trail.ledgerRefunds.map((e) => e.amount.amount))).toBe(stripeTotal)
  for (const refund of order.refunds) {
    if (refund.gatewayRefundId === null) expect(isOrphaned(refund), `${refund.id} was completed`).toBe(true)
  }
  const refunded = order.payment.amountRefunded
  const untouched = order.reviewReason !== null ? "payment_review" : "confirmed"
  const expected =
    refunded === capturedOf(order) ? "refunded" : refunded > 0 ? "partially_refunded" : untouched
  expect(order.status, `status with ${refunded} of ${capturedOf(order)} refunded`).toBe(expected)
}
