import {
  createCheckout,
  expireReservations,
  handlePaymentEvent,
  Ledger,
  type OrderId,
  OrderRepository,
  ProductCatalog,
  type SessionId,
  Sku,
  WebhookEventInbox,
} from "@settle/domain"
import { arm, ClockControl, disarm, SandboxControl } from "@settle/testkit"
import { Effect, Option } from "effect"

const say = (line: string) => Effect.sync(() => console.log(line))
const euros = (minor: number) => `€${(minor / 100).toFixed(2)}`

const orderLine = (id: OrderId) =>
  Effect.gen(function* () {
    const order = Option.getOrThrow(yield* (yield* OrderRepository).findById(id))
    const processed = order.webhook.processedAt?.toISOString() ?? "null"
    return `${order.id} status=${order.status} webhook.processedAt=${processed}`
  })

const stockLine = (sku: string) =>
  Effect.gen(function* () {
    const [product] = yield* (yield* ProductCatalog).findBySkus([Sku.make(sku)])
    const s = product?.stock
    return s ? `${sku} available=${s.available} reserved=${s.reserved} committed=${s.committed}` : `${sku} ?`
  })

const checkout = (email: string, items: ReadonlyArray<readonly [string, number]>, couponCode?: string) =>
  createCheckout({
    items: items.map(([sku, quantity]) => ({ sku, quantity })),
    currency: "EUR",
    email,
    ...(couponCode ? { couponCode } : {}),
  })

const sessionOf = (order: { readonly payment: { readonly sessionId: SessionId | null } }) =>
  Option.getOrThrow(Option.fromNullable(order.payment.sessionId))

export const couponCheckout = Effect.gen(function* () {
  yield* say("\n1) Checkout with a coupon")
  const { order, paymentUrl } = yield* checkout(
    "ada@example.com",
    [
      ["BEANS-1KG", 2],
      ["MUG", 1],
    ],
    "WELCOME10",
  )
  const t = order.totals
  yield* say(
    `   ${order.id}: subtotal ${euros(t.subtotal)} - WELCOME10 ${euros(t.discount)} = ${euros(t.total)}`,
  )
  yield* say(`   payment session ${order.payment.sessionId} at ${paymentUrl}; stock and coupon held`)
  yield* say(`   ${yield* stockLine("BEANS-1KG")}`)
  return order
})

export const duplicateAndReordered = (order: {
  readonly id: OrderId
  readonly payment: { readonly sessionId: SessionId | null }
}) =>
  Effect.gen(function* () {
    yield* say("\n2) Stripe delivers the payment twice, concurrently, and a stale 'expired' event after it")
    const sandbox = yield* SandboxControl
    const paid = yield* sandbox.pay(sessionOf(order))
    const outcomes = yield* Effect.all([handlePaymentEvent(paid), handlePaymentEvent(paid)], {
      concurrency: "unbounded",
    })
    yield* say(`   ${paid.eventId} x2 -> ${outcomes.map((o) => o._tag).join(", ")}`)
    const late = yield* handlePaymentEvent({
      _tag: "SessionExpired",
      eventId: paid.eventId.replace("evt_", "evt_late_") as typeof paid.eventId,
      type: "checkout.session.expired",
      sessionId: sessionOf(order),
      orderId: order.id,
    })
    yield* say(
      `   checkout.session.expired after payment -> ${late._tag === "Processed" ? late.detail : late._tag}`,
    )
    yield* say(`   ${yield* orderLine(order.id)}`)
    yield* say(`   payment ledger entries: ${(yield* (yield* Ledger).listByOrder(order.id)).length}`)
    yield* say(`   ${yield* stockLine("BEANS-1KG")}`)
  })

export const crashAndRecover = Effect.gen(function* () {
  yield* say("\n3) The process crashes mid-finalization (after paid, before stock is committed)")
  const { order } = yield* checkout("grace@example.com", [["GRINDER", 1]], "WELCOME10")
  const paid = yield* (yield* SandboxControl).pay(sessionOf(order))
  yield* arm(1)
  const crashed = yield* Effect.either(handlePaymentEvent(paid))
  yield* disarm
  yield* say(
    `   delivery -> ${crashed._tag === "Left" ? `failed (${crashed.left._tag}): webhook answers 5xx` : "ok"}`,
  )
  yield* say(`   ${yield* orderLine(order.id)}`)
  const health = yield* (yield* OrderRepository).health()
  yield* say(`   runbook "paid but unconfirmed" count: ${health.paidUnconfirmed}`)
  const record = Option.getOrThrow(yield* (yield* WebhookEventInbox).find(paid.eventId))
  yield* say(`   stripewebhookevents ${paid.eventId}: status=${record.status} lastError=${record.lastError}`)
  yield* (yield* ClockControl).advance(60_000)
  const retried = yield* handlePaymentEvent(paid)
  yield* say(`   a minute later Stripe retries the same event -> ${retried._tag}`)
  yield* say(`   ${yield* orderLine(order.id)}`)
  yield* say(`   paid but unconfirmed now: ${(yield* (yield* OrderRepository).health()).paidUnconfirmed}`)
  yield* say(`   ${yield* stockLine("GRINDER")}`)
})

export const couponSellsOut = Effect.gen(function* () {
  yield* say("\n4) WELCOME10 allows two redemptions; a third shopper tries it")
  const refused = yield* Effect.either(checkout("alan@example.com", [["MUG", 2]], "WELCOME10"))
  yield* say(
    `   -> ${refused._tag === "Left" ? `${refused.left._tag}${"reason" in refused.left ? ` (${refused.left.reason})` : ""}` : "accepted?!"}`,
  )
  yield* say(`   ${yield* stockLine("MUG")} (nothing taken)`)
})

export const amountMismatch = Effect.gen(function* () {
  yield* say("\n5) A payment arrives for a different amount than the order's total")
  const { order } = yield* checkout("eve@example.com", [["GRINDER", 1]])
  const paid = yield* (yield* SandboxControl).pay(sessionOf(order), { amount: 100 })
  const outcome = yield* handlePaymentEvent(paid)
  yield* say(
    `   paid ${euros(paid.amount.amount)} for ${euros(order.totals.total)} -> ${outcome._tag} (answered 2xx, never retried)`,
  )
  yield* say(`   ${yield* orderLine(order.id)}`)
  const record = Option.getOrThrow(yield* (yield* WebhookEventInbox).find(paid.eventId))
  yield* say(`   stripewebhookevents ${paid.eventId}: status=${record.status} lastError=${record.lastError}`)
})

export const expiry = Effect.gen(function* () {
  yield* say("\n6) An abandoned checkout expires and gives its stock back")
  const { order } = yield* checkout("bob@example.com", [["MUG", 3]])
  yield* say(`   ${yield* stockLine("MUG")}`)
  return order
})

export const runExpiry = (orderId: OrderId) =>
  Effect.gen(function* () {
    const report = yield* expireReservations()
    yield* say(`   expiry job: ${report.ordersExpired} order(s) expired`)
    yield* say(`   ${yield* orderLine(orderId)}`)
    yield* say(`   ${yield* stockLine("MUG")}`)
  })
