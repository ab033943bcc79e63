import {
  acceptReviewedPayment,
  expireReservations,
  PaymentGateway,
  PaymentGatewayError,
  ProductCatalog,
  refundReviewedPayment,
  repairReservations,
} from "@settle/domain"
import { Effect, Exit } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import { arm, callLog, disarm, type FaultPlan } from "../../src/faults/FaultInjection.js"
import { books, lateReview, mismatchedReview, operator } from "./reviewSupport.js"
import {
  type FaultyServices,
  MUG,
  run,
  runFaulty,
  runInterleaved,
  T0,
  type TestServices,
  typedFailure,
} from "./support.js"

const accept = acceptReviewedPayment(operator())
const refund = refundReviewedPayment(operator())

/** The late review made acceptable: the mugs it lost are back in stock. */
const lateReviewRestocked = Effect.tap(lateReview, () =>
  Effect.flatMap(ProductCatalog, (catalog) => catalog.addStock(MUG, 2, T0)),
)

type Program = Effect.Effect<unknown, { readonly _tag: string }, FaultyServices | FaultPlan>

/** What a resolution leaves, minus the record of a failed gateway attempt that a crash there adds. */
const settled = Effect.map(books(), (state) => ({
  ...state,
  audit: state.audit.filter(([action]) => action !== "order.review_refund_failed"),
}))

const cases: ReadonlyArray<readonly [string, Program, Program]> = [
  ["accepting a mismatched payment", mismatchedReview, accept],
  ["accepting a late payment whose capacity came back", lateReviewRestocked, accept],
  ["refunding a mismatched payment", mismatchedReview, refund],
  ["refunding a late payment whose capacity is gone", lateReview, refund],
]

describe("resolving a payment held for review, crashed at every step", () => {
  it.each(cases)(
    "%s: a repeat after a crash at any port call converges to the clean outcome",
    async (_, setup, resolve) => {
      const clean = await runFaulty(
        Effect.gen(function* () {
          yield* setup
          yield* arm(null)
          yield* resolve
          return { calls: yield* callLog, state: yield* settled }
        }),
      )
      expect(clean.calls.length).toBeGreaterThan(8)
      for (let at = 1; at <= clean.calls.length; at++) {
        const step = `crash at ${at} (${clean.calls[at - 1]})`
        await runFaulty(
          Effect.gen(function* () {
            yield* setup
            yield* arm(at)
            const crashed = yield* Effect.exit(resolve)
            yield* disarm
            expect(["StoreError", "PaymentGatewayError"], step).toContain(typedFailure(crashed)._tag)
            yield* resolve
            expect(yield* settled, step).toEqual(clean.state)
            // A third time changes nothing at all.
            yield* resolve
            expect(yield* settled, step).toEqual(clean.state)
          }),
        )
      }
    },
  )

  it("refunds once when the provider took the refund but its answer was lost", () =>
    run(
      Effect.gen(function* () {
        yield* mismatchedReview
        const gateway = yield* PaymentGateway
        const answerLost = Effect.provideService(refund, PaymentGateway, {
          ...gateway,
          refund: (request) =>
            Effect.zipRight(gateway.refund(request), new PaymentGatewayError({ message: "socket hang up" })),
        })
        expect((yield* Effect.flip(answerLost))._tag).toBe("PaymentGatewayError")
        expect((yield* refund)._tag).toBe("Refunded")
        expect(yield* books()).toMatchObject({
          refunds: [{ amount: 100, gatewayRefundId: "re_sandbox_000001" }],
          takenAtGateway: [[{ amount: 100, currency: "EUR" }, `refund:${operator().orderId}:0`]],
          refundEntries: [
            [{ amount: 100, currency: "EUR" }, "re_sandbox_000001", `refund:${operator().orderId}:0`],
          ],
        })
      }),
    ))
})

type Tagged = { readonly _tag: string }
type Resolution = Effect.Effect<Tagged, Tagged, TestServices>

/** Each program's tag, or its typed failure's. */
const tagOf = (exit: Exit.Exit<Tagged, Tagged>): string =>
  Exit.isSuccess(exit) ? exit.value._tag : typedFailure(exit)._tag

/** Resolutions and jobs run side by side after `setup`, their port calls interleaved by `s`. */
const race = (
  s: fc.Scheduler,
  setup: Effect.Effect<unknown, unknown, TestServices>,
  programs: ReadonlyArray<Resolution>,
) =>
  runInterleaved(
    s,
    Effect.gen(function* () {
      yield* setup
      const exits = yield* Effect.all(programs.map(Effect.exit), { concurrency: "unbounded" })
      return { outcomes: exits.map(tagOf), state: yield* books() }
    }),
  )

const report = <A extends object>(job: Effect.Effect<A, Tagged, TestServices>): Resolution =>
  Effect.as(job, { _tag: "ran" })

/** Held for review with its checkout holds intact, then left past its session's expiry. */
const mismatchedReviewExpired = Effect.tap(mismatchedReview, ({ order }) =>
  Effect.flatMap(ClockControl, (clock) => clock.set(new Date(order.expiresAt.getTime() + 60_000))),
)

/** The outcome of one resolution run alone: what any race between resolutions must end in. */
const alone = (resolve: Effect.Effect<unknown, unknown, TestServices>) =>
  run(Effect.zipRight(Effect.zipRight(mismatchedReview, resolve), books()))

describe("resolving a payment held for review, concurrently", () => {
  it("two acceptances at once finalize once", async () => {
    const expected = await alone(accept)
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const { outcomes, state } = await race(s, mismatchedReview, [accept, accept])
        expect(outcomes.filter((tag) => tag !== "Accepted" && tag !== "AlreadyAccepted")).toEqual([])
        expect(state).toEqual(expected)
      }),
      { numRuns: 40 },
    )
  })

  it("two refunds at once refund once", async () => {
    const expected = await alone(refund)
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const { outcomes, state } = await race(s, mismatchedReview, [refund, refund])
        expect(outcomes.every((tag) => tag === "Refunded" || tag === "AlreadyRefunded")).toBe(true)
        expect(state).toEqual(expected)
      }),
      { numRuns: 40 },
    )
  })

  it("an acceptance and a refund at once: exactly one of them wins, whole, and nothing is held", async () => {
    const [accepted, refunded] = [await alone(accept), await alone(refund)]
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const { outcomes, state } = await race(s, mismatchedReview, [accept, refund])
        if (outcomes[0] === "Accepted") {
          expect(outcomes[1]).toBe("IllegalTransition")
          expect(state).toEqual(accepted)
        } else {
          expect(outcomes).toEqual(["IllegalTransition", "Refunded"])
          expect(state).toEqual(refunded)
        }
      }),
      { numRuns: 60 },
    )
  })

  it("accepting past the session's expiry while the expiry and repair jobs release its checkout holds never oversells", () =>
    fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const { outcomes, state } = await race(s, mismatchedReviewExpired, [
          accept,
          report(expireReservations()),
          report(repairReservations()),
        ])
        expect(outcomes).toEqual(["Accepted", "ran", "ran"])
        expect(state).toMatchObject({
          status: "confirmed",
          holds: [],
          stock: {
            mug: { available: 0, reserved: 0, committed: 2 },
            plate: { available: 5, reserved: 0, committed: 1 },
          },
          coupon: { available: 9, reservedCount: 0, redeemedCount: 1 },
          reservation: "redeemed",
        })
      }),
      { numRuns: 40 },
    ))
})
