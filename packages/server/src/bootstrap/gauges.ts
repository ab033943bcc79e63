import type { PrometheusRegistry } from "@settle/adapters"
import { CouponReservationRepository, OrderRepository } from "@settle/domain"
import { Effect } from "effect"
import type { AppRuntime } from "../runtime.js"

/**
 * The runbook's order-health panels as gauges, computed at scrape time from the store (its own
 * queries: paid without processedAt, invoice failed, reserved past expiresAt). A store outage shows
 * as NaN plus gauge_collect_failures_total, never as a failed scrape.
 */
export const registerOrderHealthGauges = (registry: PrometheusRegistry, runtime: AppRuntime): void => {
  const health = () => runtime.runPromise(Effect.flatMap(OrderRepository, (orders) => orders.health()))
  registry.registerGauge(
    "paid_unconfirmed_orders",
    'Orders with status "paid" and webhook.processedAt null: the finalization crash window.',
    async () => (await health()).paidUnconfirmed,
  )
  registry.registerGauge(
    "failed_invoice_orders",
    'Orders whose invoice.status is "failed".',
    async () => (await health()).invoiceFailed,
  )
  registry.registerGauge(
    "leaked_coupon_reservations",
    'Coupon reservations still "reserved" after their expiresAt.',
    () =>
      runtime.runPromise(
        Effect.flatMap(CouponReservationRepository, (reservations) => reservations.countLeaked(new Date())),
      ),
  )
}
