import type { GaugeReading, PrometheusRegistry } from "@settle/adapters"
import { CouponReservationRepository, OrderRepository } from "@settle/domain"
import { Duration, Effect } from "effect"
import { DEFAULTS } from "../config/index.js"
import type { AppRuntime } from "../runtime.js"
import { type Snapshot, throttledCollection } from "./throttledCollection.js"

export interface GaugeSettings {
  /** METRICS_GAUGE_EVERY_SECONDS: the store is counted at most this often, however many scrapes come. */
  readonly everyMs: number
  /** A scrape waits at most this long for the counts; past it, it shows the last ones, marked stale. */
  readonly timeoutMs: number
}

/** Prometheus' default scrape timeout is 10 s: 2 s leaves a scrape well inside it during an outage. */
export const DEFAULT_GAUGE_SETTINGS: GaugeSettings = {
  everyMs: DEFAULTS.metricsGaugeEverySeconds * 1000,
  timeoutMs: 2_000,
}

interface OrderHealthCounts {
  readonly paidUnconfirmed: number
  readonly invoiceFailed: number
  readonly leakedReservations: number
}

/** The runbook's three counts in one round (three countDocuments), given up on after `timeoutMs`. */
const countAll = (timeoutMs: number) =>
  Effect.all(
    {
      health: Effect.flatMap(OrderRepository, (orders) => orders.health()),
      leaked: Effect.flatMap(CouponReservationRepository, (reservations) =>
        reservations.countLeaked(new Date()),
      ),
    },
    { concurrency: "unbounded" },
  ).pipe(
    Effect.map(
      ({ health, leaked }): OrderHealthCounts => ({
        paidUnconfirmed: health.paidUnconfirmed,
        invoiceFailed: health.invoiceFailed,
        leakedReservations: leaked,
      }),
    ),
    Effect.timeoutFail({ duration: Duration.millis(timeoutMs), onTimeout: () => new Error("timed out") }),
  )

const reading = (snapshot: Snapshot<OrderHealthCounts>, pick: (counts: OrderHealthCounts) => number) =>
  ({
    value: snapshot.value === null ? Number.NaN : pick(snapshot.value),
    failed: snapshot.stale,
  }) satisfies GaugeReading

/**
 * The runbook's order-health panels as gauges (paid without processedAt, invoice failed, reserved
 * past expiresAt). The store is counted at most every `everyMs` and all the gauges of a scrape, and
 * concurrent scrapes, share that one round: /metrics can never queue store reads ahead of the shop's.
 * A round that fails or outlasts `timeoutMs` leaves the last counts in place (NaN before the first),
 * counted in gauge_collect_failures_total and flagged by order_health_gauges_stale.
 */
export const registerOrderHealthGauges = (
  registry: PrometheusRegistry,
  runtime: AppRuntime,
  settings: GaugeSettings = DEFAULT_GAUGE_SETTINGS,
): void => {
  const counts = throttledCollection(() => runtime.runPromise(countAll(settings.timeoutMs)), settings)
  registry.registerGauge(
    "paid_unconfirmed_orders",
    'Orders with status "paid" and webhook.processedAt null: the finalization crash window.',
    async () => reading(await counts.current(), (c) => c.paidUnconfirmed),
  )
  registry.registerGauge("failed_invoice_orders", 'Orders whose invoice.status is "failed".', async () =>
    reading(await counts.current(), (c) => c.invoiceFailed),
  )
  registry.registerGauge(
    "leaked_coupon_reservations",
    'Coupon reservations still "reserved" after their expiresAt.',
    async () => reading(await counts.current(), (c) => c.leakedReservations),
  )
  registry.registerGauge(
    "order_health_gauges_stale",
    "1 while the order-health gauges show earlier counts (or NaN) because the latest store read failed or timed out.",
    async () => ((await counts.current()).stale ? 1 : 0),
  )
}
