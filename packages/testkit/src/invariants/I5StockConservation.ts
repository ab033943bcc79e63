import { SandboxControl } from "@settle/adapters"
import {
  acceptReviewedPayment,
  createCheckout,
  expireReservations,
  handlePaymentEvent,
  isFinalized,
  type Order,
  type PaymentEvent,
  type Product,
  refundOrder,
  refundReviewedPayment,
  repairReservations,
} from "@settle/domain"
import { Effect, Exit, type Layer } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { coupon as anyCoupon, cart, catalog, type DrawnCart } from "../arbitraries.js"
import type { StoragePorts } from "../world.js"
import { type PropertyOptions, propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import { advance, current, payEvent, paymentFailedEvent, sessionExpiredEvent } from "./support/I345Actions.js"
import { expectedCheckoutError, typedFailure } from "./support/I345BadInput.js"
import { snapshot, stockViolations, totals } from "./support/I345Checks.js"
import { crashing, type Runner, stock, withWorld } from "./support/I345World.js"

/** null runs clean; k crashes the step's k-th port call, after which the step is recovered. */
const crash: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 16 }) },
)

type Op =
  | { readonly _tag: "Checkout"; readonly cart: DrawnCart; readonly crashAt: number | null }
  | { readonly _tag: "Pay"; readonly pick: number; readonly copies: number; readonly crashAt: number | null }
  | { readonly _tag: "SessionExpired"; readonly pick: number; readonly crashAt: number | null }
  | { readonly _tag: "PaymentFailed"; readonly pick: number; readonly crashAt: number | null }
  | { readonly _tag: "Expire"; readonly minutes: number; readonly crashAt: number | null }
  | { readonly _tag: "Repair"; readonly minutes: number; readonly crashAt: number | null }
  | { readonly _tag: "Refund"; readonly pick: number; readonly restock: boolean; readonly half: boolean }
  /**
   * Stripe captures a unit more than the total (a tampered session) of an open order, or of `cart`
   * checked out first when none is open: the order waits for review, and a human may decide at once.
   */
  | {
      readonly _tag: "PayWrong"
      readonly pick: number
      readonly cart: DrawnCart
      readonly decision: "wait" | "accept" | "refund"
      readonly crashAt: number | null
    }
  /** A human accepts a payment held for review, or refunds it and closes the order. */
  | {
      readonly _tag: "Decide"
      readonly pick: number
      readonly accept: boolean
      readonly crashAt: number | null
    }

const ops = (products: ReadonlyArray<Product>, couponCode: string): fc.Arbitrary<ReadonlyArray<Op>> => {
  const pick = fc.nat()
  // Sessions live 30 minutes: a third of the jumps cross an expiry, the others land before one.
  const minutes = fc.constantFrom(0, 5, 20, 31, 45)
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        _tag: fc.constant("Checkout" as const),
        cart: fc.oneof(cart(products), cart(products, couponCode)),
        crashAt: crash,
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        _tag: fc.constant("Pay" as const),
        pick,
        copies: fc.integer({ min: 1, max: 2 }),
        crashAt: crash,
      }),
    },
    fc.record({ _tag: fc.constant("SessionExpired" as const), pick, crashAt: crash }),
    fc.record({ _tag: fc.constant("PaymentFailed" as const), pick, crashAt: crash }),
    fc.record({ _tag: fc.constant("Expire" as const), minutes, crashAt: crash }),
    fc.record({ _tag: fc.constant("Repair" as const), minutes, crashAt: crash }),
    {
      weight: 2,
      arbitrary: fc.record({
        _tag: fc.constant("Refund" as const),
        pick,
        restock: fc.boolean(),
        half: fc.boolean(),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        _tag: fc.constant("PayWrong" as const),
        pick,
        cart: fc.oneof(cart(products), cart(products, couponCode)),
        decision: fc.constantFrom("wait" as const, "accept" as const, "refund" as const),
        crashAt: crash,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        _tag: fc.constant("Decide" as const),
        pick,
        accept: fc.boolean(),
        crashAt: crash,
      }),
    },
  )
  return fc.array(op, { minLength: 1, maxLength: 30 })
}

const scenario = fc.tuple(catalog(), anyCoupon()).chain(([products, coupon]) =>
  fc.record({
    products: fc.constant(products),
    coupon: fc.constant(coupon),
    ops: ops(products, coupon.code),
  }),
)

/** Orders a valid checkout may fail with, without a crash (InputRefused: a coupon making it free): each leaves stock as it found it. */
const REFUSALS = ["InsufficientStock", "CouponUnavailable", "InputRefused"]

/**
 * A human's decision with its crash, then asked again as the operator would. A refusal (the stock or
 * coupon went to other orders, or the order is no longer in review) is a legitimate answer, not a crash.
 */
const decideThenRecover = <A, E, R>(k: number | null, decision: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const first = yield* crashing(k, decision)
    if (Exit.isFailure(first)) yield* Effect.either(decision)
  })

/** A checkout of `drawn`, kept among the orders; null when it is refused (bad cart, no stock). */
const opened = (drawn: DrawnCart, orders: Array<Order>) =>
  Effect.map(Effect.either(createCheckout(drawn.input)), (result) => {
    if (result._tag === "Left") return null
    orders.push(result.right.order)
    return result.right.order
  })

const decide = (order: Order, accept: boolean, k: number | null) => {
  if (order.status !== "payment_review") return Effect.void
  const decision = { orderId: order.id, actor: "risk@example.com", reason: "payment reviewed" }
  return accept
    ? decideThenRecover(k, acceptReviewedPayment(decision))
    : decideThenRecover(k, refundReviewedPayment(decision))
}

/** Run a step with its crash, then recover the way production would: Stripe redelivers, a job reruns. */
const crashThenRecover = <A, E, R>(k: number | null, step: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const first = yield* crashing(k, step)
    if (Exit.isFailure(first)) yield* step
  })

const onEvent = (event: PaymentEvent | null, k: number | null, copies = 1) =>
  Effect.gen(function* () {
    if (event === null) return
    yield* crashThenRecover(k, handlePaymentEvent(event))
    for (let i = 1; i < copies; i++) yield* handlePaymentEvent(event)
  })

/**
 * The orders a step is most likely to matter for: a payment goes to an open session (late ones
 * included), a refund to a finalized order, an expiry or failure to a pending one. When none fits the
 * step still runs against any order, as a stray or late event would.
 */
const wanted =
  (op: Op, open: ReadonlySet<string>) =>
  (order: Order): boolean =>
    op._tag === "Pay" || op._tag === "PayWrong"
      ? open.has(order.id)
      : op._tag === "Refund"
        ? isFinalized(order.status)
        : op._tag === "Decide"
          ? order.status === "payment_review"
          : order.status === "pending"

const step = (world: Runner, op: Op, products: ReadonlyArray<Product>, orders: Array<Order>) =>
  Effect.gen(function* () {
    // Re-read: the session and status the shopper and Stripe act on are the stored ones.
    const fresh = yield* Effect.forEach(orders, current)
    const sessions = yield* (yield* SandboxControl).sessions
    const open = new Set<string>(sessions.filter((s) => s.status === "open").map((s) => s.orderId))
    const fitting = fresh.filter(wanted(op, open))
    const pool = fitting.length > 0 ? fitting : fresh
    const picked = "pick" in op && pool.length > 0 ? (pool[op.pick % pool.length] ?? null) : null
    switch (op._tag) {
      case "Checkout": {
        const before = yield* snapshot
        // A flawed cart runs clean: its typed refusal, not an injected crash, is what is checked.
        const exit = yield* crashing(op.cart.flaw === null ? op.crashAt : null, createCheckout(op.cart.input))
        if (Exit.isSuccess(exit)) {
          orders.push(exit.value.order)
        } else if (op.cart.flaw !== null) {
          expect(typedFailure(exit)).toMatchObject(expectedCheckoutError(op.cart, products))
          expect(yield* snapshot, "a bad cart changed the stores").toEqual(before)
        } else if (op.crashAt === null) {
          expect(REFUSALS).toContain(typedFailure(exit)._tag)
        }
        return
      }
      case "Pay":
        return picked === null ? undefined : yield* onEvent(yield* payEvent(picked), op.crashAt, op.copies)
      case "PayWrong": {
        const target = picked !== null && open.has(picked.id) ? picked : yield* opened(op.cart, orders)
        if (target === null) return
        yield* onEvent(yield* payEvent(target, { amount: target.totals.total + 1 }), null)
        if (op.decision === "wait") return
        return yield* decide(yield* current(target), op.decision === "accept", op.crashAt)
      }
      case "Decide":
        return picked === null ? undefined : yield* decide(picked, op.accept, op.crashAt)
      case "SessionExpired":
        return picked === null ? undefined : yield* onEvent(yield* sessionExpiredEvent(picked), op.crashAt)
      case "PaymentFailed":
        return picked === null ? undefined : yield* onEvent(yield* paymentFailedEvent(picked), op.crashAt)
      case "Expire":
        yield* advance(op.minutes * 60_000)
        return yield* crashThenRecover(op.crashAt, expireReservations())
      case "Repair":
        yield* advance(op.minutes * 60_000)
        return yield* crashThenRecover(op.crashAt, repairReservations())
      case "Refund": {
        if (picked === null || !isFinalized(picked.status)) return
        const half = Math.floor(picked.totals.total / 2)
        // Refusals (nothing left to refund) are fine here; I6 owns their correctness, I5 the stock.
        yield* Effect.either(
          refundOrder({
            orderId: picked.id,
            actor: "ops@example.com",
            restock: op.restock,
            ...(op.half && half > 0 ? { amount: half } : {}),
          }),
        )
        return
      }
    }
  }).pipe(world.run)

/**
 * Units the confirmed orders keep: confirmed once (processedAt set; a payment refunded from review never
 * was, whatever its status says) and not given back by a restocking refund. An accepted review payment
 * counts like any other: accepting must commit its units, never more than the stock had.
 */
const keptUnits = (orders: ReadonlyArray<Order>, productId: string): number =>
  orders
    .filter(
      (o) =>
        o.webhook.processedAt !== null && !o.refunds.some((r) => r.restock && r.gatewayRefundId !== null),
    )
    .flatMap((o) => o.items)
    .filter((item) => item.productId === productId)
    .reduce((sum, item) => sum + item.quantity, 0)

export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PropertyOptions = {},
): void => {
  const numRuns = options.runs ?? propertyRuns(60)

  describe(`${name}: I5 stock conservation`, () => {
    it(
      "I5 available + reserved + committed is conserved and never negative through any sequence of steps",
      () =>
        fc.assert(
          fc.asyncProperty(
            scenario,
            yieldingEachRun(({ products, coupon, ops: steps }) =>
              withWorld(storage, async (world) => {
                await world.run(stock(products, [coupon]))
                const initial = totals(products)
                const orders: Array<Order> = []
                for (const [n, op] of steps.entries()) {
                  await step(world, op, products, orders)
                  expect(
                    stockViolations(await world.run(snapshot), initial),
                    `after step ${n} ${op._tag}`,
                  ).toEqual([])
                }
                // Every expiry passed, then the jobs: nothing may stay reserved (holds a crash left behind are
                // the repair job's to return), and committed is exactly what was sold and kept.
                await world.run(Effect.zipRight(advance(2 * 24 * 60 * 60_000), expireReservations()))
                await world.run(repairReservations())
                const end = await world.run(snapshot)
                expect(stockViolations(end, initial), "at the end").toEqual([])
                expect(end.orders.filter((o) => o.status === "paid")).toEqual([])
                for (const p of end.products) {
                  expect(p.stock.reserved, `${p.sku} reserved`).toBe(0)
                  expect(p.stock.committed, `${p.sku} committed`).toBe(keptUnits(end.orders, p.id))
                }
              }),
            ),
          ),
          { numRuns },
        ),
      // Measured up to 50 ms a run.
      propertyTimeout(numRuns, 200, options),
    )
  })
}
