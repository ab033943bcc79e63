import {
  type InvoiceStatus,
  type Order,
  type OrderListQuery,
  OrderRepository,
  type OrderStatus,
  SessionId,
} from "@settle/domain"
import { anInvoice, anOrder, aPayment, minute } from "@settle/testkit/fixtures"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { MemoryOrderRepository } from "../../src/memory/index.js"

/** A small seeded PRNG (mulberry32), so a failure names the query that found it and replays. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const random = seeded(9)
const pick = <A>(options: ReadonlyArray<A>): A => options[Math.floor(random() * options.length)] as A

// Skewed on purpose: a common status and a rare one, so the listing takes both of its plans.
const STATUSES: ReadonlyArray<OrderStatus> = ["confirmed", "confirmed", "confirmed", "pending", "paid"]
const INVOICES: ReadonlyArray<InvoiceStatus> = ["issued", "issued", "pending", "failed"]
const EMAILS = ["ada@example.com", "bob@example.com", "cy@example.com"]

const orders: ReadonlyArray<Order> = Array.from({ length: 1_200 }, (_, n) =>
  anOrder({
    status: pick(STATUSES),
    customerEmail: pick(EMAILS),
    // Few distinct instants: many ties on createdAt, which the id breaks.
    createdAt: minute(Math.floor(random() * 40)),
    updatedAt: minute(Math.floor(random() * 40)),
    payment: aPayment({ sessionId: n % 7 === 0 ? null : SessionId.make(`cs_listing_${n}`) }),
    invoice: anInvoice({ status: pick(INVOICES) }),
  }),
)

/** The listing as a scan of every order would answer it: the port's contract, spelled out. */
const scan = (q: OrderListQuery): ReadonlyArray<string> =>
  orders
    .filter(
      (o) =>
        (q.status === undefined || o.status === q.status) &&
        (q.sessionId === undefined || o.payment.sessionId === q.sessionId) &&
        (q.customerEmail === undefined || o.customerEmail === q.customerEmail) &&
        (q.createdFrom === undefined || o.createdAt >= q.createdFrom) &&
        (q.createdBefore === undefined || o.createdAt < q.createdBefore) &&
        (q.stuckPaidBefore === undefined ||
          (o.status === "paid" && o.webhook.processedAt === null && o.updatedAt < q.stuckPaidBefore)) &&
        (q.invoiceStatus === undefined || o.invoice.status === q.invoiceStatus) &&
        (q.after === undefined ||
          o.createdAt < q.after.createdAt ||
          (o.createdAt.getTime() === q.after.createdAt.getTime() && o.id < q.after.id)),
    )
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, q.limit)
    .map((o) => o.id)

const aQuery = (): OrderListQuery => {
  const cursor = pick(orders)
  const maybe = <A>(value: A): A | undefined => (random() < 0.35 ? value : undefined)
  const from = Math.floor(random() * 40)
  const query = {
    status: maybe(pick(STATUSES)),
    customerEmail: maybe(pick(EMAILS)),
    invoiceStatus: maybe(pick(INVOICES)),
    sessionId: random() < 0.05 ? (pick(orders).payment.sessionId ?? undefined) : undefined,
    createdFrom: maybe(minute(from)),
    createdBefore: maybe(minute(from + Math.floor(random() * 20))),
    stuckPaidBefore: random() < 0.1 ? minute(Math.floor(random() * 40)) : undefined,
    after: maybe({ createdAt: cursor.createdAt, id: cursor.id }),
    limit: pick([0, 1, 3, 20, 1000]),
  }
  return Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined),
  ) as unknown as OrderListQuery
}

describe("MemoryOrderRepository listing plans", () => {
  it("answers every query as a scan would, whether it sorts an index match or walks the order", () =>
    Effect.gen(function* () {
      const repository = yield* OrderRepository
      for (const order of orders) yield* repository.insert(order)
      for (let n = 0; n < 400; n++) {
        const query = aQuery()
        const listed = (yield* repository.list(query)).map((o) => o.id)
        expect({ query, listed }).toEqual({ query, listed: scan(query) })
      }
    }).pipe(Effect.provide(MemoryOrderRepository.layer), Effect.runPromise))
})
