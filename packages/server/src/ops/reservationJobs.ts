import {
  Clock,
  CouponRepository,
  CouponReservationRepository,
  OrderRepository,
  ProductCatalog,
} from "@settle/domain"
import { Effect, Option } from "effect"
import { countsOf, type JobName, type JobReport } from "../jobs/catalog.js"
import * as args from "./arguments.js"
import type { Command, CommandContext, Options } from "./Command.js"
import { driftLines, jobRun, recordDriftLines } from "./jobRuns.js"
import type { OpsServices } from "./opsLayer.js"
import { auditLine, recoveryReport } from "./recovery.js"
import { recover } from "./rehearsal.js"
import { orderScope, reservationKey, type Scope, scope, union } from "./snapshot.js"
import { storeConfig, withStore } from "./store.js"

/** The expiry job's own bound: 100 batches of 100 per run. */
const EXPIRY_CAP = 10_000

/** Pending orders past expiry and leaked reservations, with everything releasing or redeeming them moves. */
const expiryScope = Effect.gen(function* () {
  const now = yield* (yield* Clock).now
  const orders = yield* OrderRepository
  const expiring = yield* orders.findExpiredPending(now, EXPIRY_CAP)
  const leaked = yield* (yield* CouponReservationRepository).findLeaked(now, EXPIRY_CAP)
  const owners = yield* Effect.forEach(leaked, (reservation) => orders.findById(reservation.orderId))
  return union([
    ...expiring.map(orderScope),
    ...owners.flatMap((order) => (Option.isSome(order) ? [orderScope(order.value)] : [])),
    scope({
      coupons: leaked.map((r) => r.couponId),
      reservations: leaked.map((r) => reservationKey(r.couponId, r.orderId)),
    }),
  ])
})

/** Every product and coupon with its holds, the orders behind the holds, and the reserved records. */
const repairScope = Effect.gen(function* () {
  const products = yield* (yield* ProductCatalog).list()
  const coupons = yield* (yield* CouponRepository).list()
  const reservations = yield* CouponReservationRepository
  const reserved = (yield* Effect.forEach(coupons, (c) => reservations.listByCoupon(c.id, "reserved"))).flat()
  return scope({
    products: products.map((p) => p.id),
    coupons: coupons.map((c) => c.id),
    orders: [
      ...products.flatMap((p) => p.holds.map((h) => h.orderId)),
      ...coupons.flatMap((c) => c.holds.map((h) => h.orderId)),
      ...reserved.map((r) => r.orderId),
    ],
    reservations: reserved.map((r) => reservationKey(r.couponId, r.orderId)),
  })
})

const runJob = async (
  options: Options,
  context: CommandContext,
  job: { readonly name: JobName; readonly scope: Effect.Effect<Scope, unknown, OpsServices> },
  describe: (report: JobReport, dryRun: boolean) => ReadonlyArray<string>,
) => {
  const actor = args.actor(options, context.env)
  const reason = args.reason(options)
  const dryRun = args.flag(options, "dry-run")
  const { jobLeaseMs } = storeConfig(context)
  const outcome = await withStore(
    context,
    Effect.flatMap(job.scope, (of) =>
      recover(dryRun, of, jobRun(dryRun, job.name, actor, reason, jobLeaseMs)),
    ),
  )
  return recoveryReport(dryRun, outcome, ({ report, audit }) => ({
    data: { actor, reason, job: job.name, report },
    text: [
      `${dryRun ? "The job would report" : "The job reported"}: ${countsOf(report)}`,
      ...describe(report, dryRun),
      auditLine(audit, dryRun),
    ],
  }))
}

const JOB_OPTIONS = { ...args.REASON_OPTION, ...args.MUTATION_OPTIONS }

export const expireReservationsCommand: Command = {
  name: "expire-reservations",
  summary: "run the expiry job: pending orders past expiry and leaked reservations (runbook scenario 3)",
  usage: 'expire-reservations --reason "<why>" [--dry-run]',
  runbook: [
    'Scenario 3, Recovery: "1) Let expiry job transition reserved -> expired. 2) Verify Coupon.reservedCount decremented."',
  ],
  details: [
    "Pending orders past their expiry become expired and give back stock and coupon; every reservation",
    "still reserved past expiresAt is settled from its order: paid or confirmed → redeemed, else expired.",
    "Order by order, each a conditional write. Runs under the job's lease, as a server replica would",
    "(JOB_BUSY while another run holds it), and is audited once as job.run.",
  ],
  options: JOB_OPTIONS,
  examples: [
    'pnpm ops expire-reservations --reason "INC-9: leak alert" --dry-run',
    'pnpm ops expire-reservations --reason "INC-9: leak alert"',
  ],
  run: (options, context) => runJob(options, context, { name: "expiry", scope: expiryScope }, () => []),
}

export const repairReservationsCommand: Command = {
  name: "repair-reservations",
  summary: "run the repair job: orphan holds and coupon counter drift, per coupon (runbook scenario 3)",
  usage: 'repair-reservations --reason "<why>" [--dry-run]',
  runbook: [
    'Scenario 3, Immediate mitigation: "Run reservation repair job if enabled."',
    'Scenario 3, Detection: "Compare Coupon.reservedCount vs active reservations count."',
  ],
  details: [
    "Releases holds nobody will commit (their order is gone, expired or cancelled; older than 10 minutes),",
    "settles reservation records whose order moved on, and rewrites each coupon's reservedCount and",
    "available from its holds, printing the drift per coupon. It then compares each counter with the",
    "coupon's reserved records and prints the orders where they disagree, changing none of them (a human",
    "decides, order by order). Runs under the job's lease (JOB_BUSY while",
    "another run holds it) and is audited once as job.run.",
  ],
  options: JOB_OPTIONS,
  examples: [
    'pnpm ops repair-reservations --reason "INC-9: reservedCount drift" --dry-run',
    'pnpm ops repair-reservations --reason "INC-9: reservedCount drift"',
  ],
  run: (options, context) =>
    runJob(options, context, { name: "repair", scope: repairScope }, (report, dryRun) => {
      const drift = driftLines(report)
      const misrecorded = recordDriftLines(report)
      return [
        ...(drift.length === 0
          ? ["No coupon counter drift."]
          : [
              `Coupon counter drift, per coupon (${dryRun ? "would be " : ""}rewritten from the holds):`,
              ...drift,
            ]),
        ...(misrecorded.length === 0
          ? []
          : [
              "Coupon counters that disagree with the reservation records (left as they are: check each order named):",
              ...misrecorded,
            ]),
      ]
    }),
}
