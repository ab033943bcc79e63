import { Context, Effect, Option } from "effect"
import {
  AuditLog,
  type AuditRecord,
  Clock,
  IdGenerator,
  type InvoiceOutcome,
  InvoiceProvider,
  InvoiceProviderError,
  Ledger,
  type LedgerEntry,
  Metrics,
  type Order,
  OrderRepository,
  PaymentGateway,
  PaymentGatewayError,
  ProductCatalog,
  type RefundRequest,
  type Stock,
} from "../../src/index.js"

/**
 * A tiny in-memory world for the use-case tests: only the port members these use-cases call, each
 * honoring its port doc. Every store call yields first, so concurrent fibers really interleave, then
 * checks and writes in one synchronous step, like a single-document conditional update.
 */
export type WorldServices =
  | OrderRepository
  | Ledger
  | AuditLog
  | ProductCatalog
  | PaymentGateway
  | InvoiceProvider
  | Metrics
  | Clock
  | IdGenerator

export type InvoiceBehavior = "issue" | "manual" | "none" | "fail"

export const makeWorld = (start: Date) => {
  const state = {
    now: start,
    orders: new Map<string, Order>(),
    stock: new Map<string, Stock>(),
    ledger: [] as Array<LedgerEntry>,
    audit: [] as Array<AuditRecord>,
    gatewayCalls: [] as Array<RefundRequest>,
    /** Refunds Stripe actually made, by idempotency key. */
    gatewayRefunds: new Map<string, string>(),
    gatewayFailures: 0,
    invoiceCalls: [] as Array<string>,
    /** Invoices the provider actually created, by idempotency key. */
    invoices: new Map<string, string>(),
    invoiceBehavior: "issue" as InvoiceBehavior,
    metrics: [] as Array<string>,
  }
  let seq = 0
  const store = <A>(f: () => A) => Effect.zipRight(Effect.yieldNow(), Effect.sync(f))
  const unused = (name: string) => () => Effect.die(`${name} is not used by these tests`)

  /** Conditional single-document update: `change` returns undefined when its condition fails. */
  const update = (id: string, at: Date, change: (order: Order) => Order | undefined) =>
    store(() => {
      const current = state.orders.get(id)
      const next = current === undefined ? undefined : change(current)
      if (current === undefined || next === undefined) return Option.none<Order>()
      const written: Order = { ...next, version: current.version + 1, updatedAt: at }
      state.orders.set(id, written)
      return Option.some(written)
    })

  const orders: OrderRepository = {
    insert: (order) => store(() => void state.orders.set(order.id, order)),
    findById: (id) => store(() => Option.fromNullable(state.orders.get(id))),
    findBySessionId: unused("findBySessionId"),
    findByPaymentIntentId: (id) =>
      store(() =>
        Option.fromNullable([...state.orders.values()].find((o) => o.payment.paymentIntentId === id)),
      ),
    transition: (id, from, patch, at) =>
      update(id, at, (o) =>
        from.includes(o.status)
          ? { ...o, status: patch.status ?? o.status, payment: { ...o.payment, ...patch.payment } }
          : undefined,
      ),
    markFinalized: unused("markFinalized"),
    updateInvoice: (id, from, invoice, at) =>
      update(id, at, (o) => (from.includes(o.invoice.status) ? { ...o, invoice } : undefined)),
    appendRefund: (id, refund, captured, from, status, at) =>
      update(id, at, (o) =>
        from.includes(o.status) &&
        !o.refunds.some((r) => r.id === refund.id) &&
        o.payment.amountRefunded + refund.amount <= captured
          ? {
              ...o,
              status,
              refunds: [...o.refunds, refund],
              payment: { ...o.payment, amountRefunded: o.payment.amountRefunded + refund.amount },
            }
          : undefined,
      ),
    setGatewayRefundId: (id, refundId, gatewayRefundId, at) =>
      update(id, at, (o) =>
        o.refunds.some((r) => r.id === refundId && r.gatewayRefundId === null)
          ? { ...o, refunds: o.refunds.map((r) => (r.id === refundId ? { ...r, gatewayRefundId } : r)) }
          : undefined,
      ),
    findExpiredPending: unused("findExpiredPending"),
    findStale: unused("findStale"),
    findInvoicesDue: (now, limit) =>
      store(() =>
        [...state.orders.values()]
          .filter(
            (o) =>
              ["pending", "failed", "issuing"].includes(o.invoice.status) &&
              o.invoice.nextAttemptAt !== null &&
              o.invoice.nextAttemptAt <= now,
          )
          .slice(0, limit),
      ),
    list: unused("list"),
    health: unused("health"),
  }

  const ledger: Ledger = {
    append: (entry) =>
      store(() => {
        if (state.ledger.some((e) => e.kind === entry.kind && e.externalId === entry.externalId))
          return "exists"
        state.ledger.push(entry)
        return "appended"
      }),
    listByOrder: (orderId) => store(() => state.ledger.filter((e) => e.orderId === orderId)),
  }

  const audit: AuditLog = {
    append: (record) => store(() => void state.audit.push(record)),
    listByOrder: (orderId) => store(() => state.audit.filter((r) => r.orderId === orderId)),
    recent: (limit) => store(() => state.audit.slice(-limit).reverse()),
  }

  const catalog: ProductCatalog = {
    insert: unused("insert"),
    findById: unused("findById"),
    findBySkus: unused("findBySkus"),
    list: unused("list"),
    update: unused("update"),
    hold: unused("hold"),
    commitHold: unused("commitHold"),
    releaseHold: unused("releaseHold"),
    restock: (id, quantity) =>
      store(() => {
        const stock = state.stock.get(id)
        if (stock === undefined || stock.committed < quantity) return false
        state.stock.set(id, {
          ...stock,
          committed: stock.committed - quantity,
          available: stock.available + quantity,
        })
        return true
      }),
    addStock: unused("addStock"),
  }

  const gateway: PaymentGateway = {
    openSession: unused("openSession"),
    retrieveSession: unused("retrieveSession"),
    refund: (request) =>
      Effect.suspend(() => {
        state.gatewayCalls.push(request)
        if (state.gatewayFailures > 0) {
          state.gatewayFailures -= 1
          return Effect.fail(new PaymentGatewayError({ message: "stripe unreachable" }))
        }
        // Stripe's idempotency: the same key answers with the same refund.
        const refundId =
          state.gatewayRefunds.get(request.idempotencyKey) ?? `re_${state.gatewayRefunds.size + 1}`
        state.gatewayRefunds.set(request.idempotencyKey, refundId)
        return Effect.succeed({ refundId, status: "succeeded" })
      }),
  }

  const invoiceProvider: InvoiceProvider = {
    mode: Effect.sync(() =>
      state.invoiceBehavior === "manual" || state.invoiceBehavior === "none"
        ? state.invoiceBehavior
        : "stripe",
    ),
    issue: (_order, idempotencyKey) =>
      Effect.zipRight(
        Effect.yieldNow(),
        Effect.suspend((): Effect.Effect<InvoiceOutcome, InvoiceProviderError> => {
          state.invoiceCalls.push(idempotencyKey)
          switch (state.invoiceBehavior) {
            case "fail":
              return Effect.fail(new InvoiceProviderError({ message: "invoice provider down" }))
            case "manual":
              return Effect.succeed({ _tag: "Manual" })
            case "none":
              return Effect.succeed({ _tag: "None" })
            case "issue": {
              const number = state.invoices.get(idempotencyKey) ?? `INV-${state.invoices.size + 1}`
              state.invoices.set(idempotencyKey, number)
              return Effect.succeed({ _tag: "Issued", number, url: `https://invoices.example/${number}` })
            }
          }
        }),
      ),
  }

  const metrics: Metrics = {
    webhookEvent: (status, type) => Effect.sync(() => void state.metrics.push(`webhook:${status}:${type}`)),
    checkoutAttempt: Effect.sync(() => void state.metrics.push("checkout:attempt")),
    checkoutFailure: (reason) => Effect.sync(() => void state.metrics.push(`checkout:failure:${reason}`)),
    refundOperation: (status) => Effect.sync(() => void state.metrics.push(`refund:${status}`)),
    invoiceIssue: (status) => Effect.sync(() => void state.metrics.push(`invoice:${status}`)),
    paymentReview: (reason) => Effect.sync(() => void state.metrics.push(`review:${reason}`)),
  }

  const context = Context.empty().pipe(
    Context.add(OrderRepository, orders),
    Context.add(Ledger, ledger),
    Context.add(AuditLog, audit),
    Context.add(ProductCatalog, catalog),
    Context.add(PaymentGateway, gateway),
    Context.add(InvoiceProvider, invoiceProvider),
    Context.add(Metrics, metrics),
    Context.add(Clock, Clock.of({ now: Effect.sync(() => new Date(state.now.getTime())) })),
    Context.add(
      IdGenerator,
      IdGenerator.of({
        next: (prefix) => Effect.sync(() => `${prefix}_${++seq}`),
        secret: Effect.sync(() => `secret_${++seq}`),
      }),
    ),
  )

  /** Run a use-case in this world; failures come back as an Either so tests can assert on `_tag`. */
  const run = <A, E>(effect: Effect.Effect<A, E, WorldServices>) =>
    Effect.runPromise(Effect.either(Effect.provide(effect, context)))

  const count = (metric: string) => state.metrics.filter((m) => m === metric).length
  const order = (id: string): Order => {
    const found = state.orders.get(id)
    if (found === undefined) throw new Error(`no order ${id}`)
    return found
  }
  const advance = (ms: number) => {
    state.now = new Date(state.now.getTime() + ms)
  }

  return { state, run, count, order, advance }
}
