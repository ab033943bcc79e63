import {
  type CheckoutResult,
  createCheckout,
  IDEMPOTENCY_LEASE_MS,
  idempotentRequest,
  type StoredAnswer,
} from "@settle/domain"
import { Cause, Effect, Either, Exit, type Layer, Option } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { callCount } from "../faults/FaultInjection.js"
import { aCoupon } from "../fixtures.js"
import type { StoragePorts } from "../world.js"
import { type PropertyOptions, propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import { advance, cartFor, plentifulProduct } from "./support/I345Actions.js"
import { couponViolations, snapshot, stockViolations, totals } from "./support/I345Checks.js"
import { crashing, type Runner, stock, withWorld } from "./support/I345World.js"

/** Failures a retry may cure: not kept under the key, as the server does not keep a 5xx. */
const TRANSIENT = new Set(["StoreError", "PaymentGatewayError", "WriteConflict"])

const answerOf = (exit: Exit.Exit<CheckoutResult, { readonly _tag: string }>): StoredAnswer | null => {
  if (Exit.isSuccess(exit)) return { status: 201, body: { orderId: exit.value.order.id }, headers: {} }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure) || TRANSIENT.has(failure.value._tag)) return null
  return { status: 409, body: { refused: failure.value._tag }, headers: {} }
}

/** The shopper's checkout with an Idempotency-Key, as the server runs it; the outcome as a value. */
const keyedCheckout = (input: unknown, key: string) =>
  Effect.either(
    idempotentRequest(
      { scope: "createCheckout shop", key, fingerprint: "cart" },
      createCheckout(input),
      answerOf,
    ),
  )

type Attempt = Effect.Effect.Success<ReturnType<typeof keyedCheckout>>

/** The order an attempt answered with, run here or replayed; null when it was refused. */
const orderIdOf = (attempt: Attempt): string | null => {
  if (Either.isLeft(attempt)) return null
  const outcome = attempt.right
  if (outcome._tag === "Ran") return outcome.value.order.id
  const body = outcome.answer.body as { readonly orderId?: string }
  return body.orderId ?? null
}

/**
 * Retries the way a client does until it gets an answer: a 409 in use is waited out (past the lease,
 * as when the first request's process crashed), a transient failure retried at once.
 */
const untilAnswered = (input: unknown, key: string) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < 10; attempt++) {
      const outcome = yield* keyedCheckout(input, key)
      if (Either.isRight(outcome)) return outcome
      if (outcome.left._tag === "IdempotencyKeyInUse") yield* advance(IDEMPOTENCY_LEASE_MS)
      else if (!TRANSIENT.has(outcome.left._tag)) return outcome
    }
    return yield* Effect.dieMessage(`checkout with key ${key} never answered`)
  })

const product = plentifulProduct(9)

/** A cart of `quantity` units, with a coupon of five redemptions when `withCoupon`. */
const shop = (world: Runner, quantity: number, withCoupon: boolean) =>
  world.run(
    Effect.gen(function* () {
      const coupon = withCoupon ? aCoupon({ maxRedemptions: 5, available: 5 }) : null
      yield* stock([product], coupon === null ? [] : [coupon])
      return cartFor(product, quantity, coupon)
    }),
  )

/** One live order holding the cart once: `quantity` units reserved, one coupon redemption held. */
const expectHeldOnce = async (world: Runner, quantity: number, orderIds: ReadonlyArray<string | null>) => {
  const s = await world.run(snapshot)
  const live = s.orders.filter((order) => order.status === "pending")
  expect(live.map((order) => order.id)).toHaveLength(1)
  expect(new Set(orderIds)).toEqual(new Set([live[0]?.id]))
  expect(stockViolations(s, totals([product]))).toEqual([])
  expect(couponViolations(s)).toEqual([])
  expect(s.products[0]?.stock.reserved).toBe(quantity)
  for (const coupon of s.coupons) expect(coupon.reservedCount).toBe(1)
}

const cart = fc.record({ quantity: fc.integer({ min: 1, max: 3 }), withCoupon: fc.boolean() })

/**
 * I9: a checkout retried with one Idempotency-Key never holds stock or coupon capacity twice and makes
 * one order, whether the retries come one after another, at once, or after a crash at any port call.
 */
export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PropertyOptions = {},
): void => {
  const numRuns = options.runs ?? propertyRuns(30)

  describe(`${name}: I9 idempotent checkout`, () => {
    it(
      "I9 retries one after another replay the one order, holding once",
      () =>
        fc.assert(
          fc.asyncProperty(
            cart,
            fc.integer({ min: 2, max: 5 }),
            yieldingEachRun(({ quantity, withCoupon }, retries) =>
              withWorld(storage, async (world) => {
                const input = await shop(world, quantity, withCoupon)
                const ids: Array<string | null> = []
                for (let i = 0; i < retries; i++)
                  ids.push(orderIdOf(await world.run(keyedCheckout(input, "seq"))))
                await expectHeldOnce(world, quantity, ids)
              }),
            ),
          ),
          { numRuns },
        ),
      propertyTimeout(numRuns, 100, options),
    )

    it(
      "I9 concurrent retries, however their port calls interleave, run once: the rest are in use or replay",
      () =>
        fc.assert(
          fc.asyncProperty(
            cart,
            fc.integer({ min: 2, max: 5 }),
            fc.scheduler(),
            yieldingEachRun(({ quantity, withCoupon }, retries, s) =>
              withWorld(storage, async (world) => {
                const input = await shop(world, quantity, withCoupon)
                const racing = await world.racing(s)
                const attempts = await s.waitFor(
                  Promise.all(
                    Array.from({ length: retries }, () => racing.run(keyedCheckout(input, "race"))),
                  ),
                )
                const ran = attempts.filter((a) => Either.isRight(a) && a.right._tag === "Ran")
                expect(ran).toHaveLength(1)
                for (const attempt of attempts) {
                  if (Either.isLeft(attempt)) expect(attempt.left._tag).toBe("IdempotencyKeyInUse")
                }
                const last = await world.run(keyedCheckout(input, "race"))
                expect(Either.isRight(last) && last.right._tag).toBe("Replayed")
                await expectHeldOnce(
                  world,
                  quantity,
                  [...attempts.filter(Either.isRight), last].map(orderIdOf),
                )
              }),
            ),
          ),
          { numRuns },
        ),
      propertyTimeout(numRuns, 200, options),
    )

    it(
      "I9 a retry after a crash at any port call of the keyed checkout still makes one order, holding once",
      async () => {
        for (const withCoupon of [false, true]) {
          const points = await withWorld(storage, async (world) => {
            const input = await shop(world, 2, withCoupon)
            return world.run(Effect.zipRight(crashing(null, keyedCheckout(input, "crash")), callCount))
          })
          expect(points).toBeGreaterThan(4)
          for (let k = 1; k <= points; k++) {
            await withWorld(storage, async (world) => {
              const input = await shop(world, 2, withCoupon)
              await world.run(crashing(k, keyedCheckout(input, "crash")))
              const answered = await world.run(untilAnswered(input, "crash"))
              const again = await world.run(keyedCheckout(input, "crash"))
              expect(Either.isRight(again) && again.right._tag, `crash at call ${k}`).toBe("Replayed")
              await expectHeldOnce(world, 2, [orderIdOf(answered), orderIdOf(again)])
            })
          }
        }
      },
      propertyTimeout(60, 50, options),
    )
  })
}
