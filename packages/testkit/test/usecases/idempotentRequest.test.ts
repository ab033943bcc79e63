import {
  Clock,
  createCheckout,
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_LEASE_MS,
  IdempotencyKeys,
  idempotentRequest,
  OrderRepository,
} from "@settle/domain"
import { Effect, Exit, Ref } from "effect"
import { describe, expect, it } from "vitest"
import { ClockControl } from "../../src/fakes/ControlledClock.js"
import { failureTag } from "../../src/suites/runInLayer.js"
import { insertProducts, mug, run } from "./support.js"

/** docs/embedding.md §4, statement by statement. */

const keyed = <A, E, R>(key: string | null, program: Effect.Effect<A, E, R>, fingerprint = "fp-a") =>
  idempotentRequest({ scope: "createCheckout shop", key, fingerprint }, program, (exit) =>
    Exit.isSuccess(exit) ? { status: 201, body: { value: exit.value }, headers: {} } : null,
  )

const counting = Effect.map(Ref.make(0), (runs) => ({
  runs,
  program: Ref.updateAndGet(runs, (n) => n + 1),
}))

describe("idempotentRequest (docs/embedding.md §4)", () => {
  it("runs the doc's example: a retried checkout answers the first order and makes no other", () =>
    run(
      Effect.gen(function* () {
        yield* insertProducts(mug())
        const body = { items: [{ sku: mug().sku, quantity: 1 }], currency: "EUR", email: "ada@example.com" }
        const checkout = idempotentRequest(
          { scope: "createCheckout shop", key: "k", fingerprint: "fp" },
          createCheckout(body),
          (exit) =>
            Exit.isSuccess(exit)
              ? { status: 201, body: { orderId: exit.value.order.id }, headers: {} }
              : null,
        )
        const first = yield* checkout
        const again = yield* checkout
        expect(first._tag).toBe("Ran")
        expect(again).toEqual({
          _tag: "Replayed",
          answer: {
            status: 201,
            body: { orderId: first._tag === "Ran" ? first.value.order.id : null },
            headers: {},
          },
        })
        expect(yield* (yield* OrderRepository).list({ limit: 10 })).toHaveLength(1)
      }),
    ))

  it("runs every time without a key", () =>
    run(
      Effect.gen(function* () {
        const { runs, program } = yield* counting
        expect(yield* keyed(null, program)).toEqual({ _tag: "Ran", value: 1 })
        expect(yield* keyed(null, program)).toEqual({ _tag: "Ran", value: 2 })
        expect(yield* Ref.get(runs)).toBe(2)
      }),
    ))

  it("replays a completed run's answer, runs nothing, and refuses another fingerprint under the key", () =>
    run(
      Effect.gen(function* () {
        const { runs, program } = yield* counting
        expect(yield* keyed("k", program)).toEqual({ _tag: "Ran", value: 1 })
        expect(yield* keyed("k", program)).toEqual({
          _tag: "Replayed",
          answer: { status: 201, body: { value: 1 }, headers: {} },
        })
        expect(yield* failureTag(keyed("k", program, "fp-b"))).toBe("IdempotencyKeyReused")
        expect(yield* Ref.get(runs)).toBe(1)
      }),
    ))

  it("refuses a retry while the first run is in flight with IdempotencyKeyInUse, and takes over a claim older than the lease", () =>
    run(
      Effect.gen(function* () {
        // A claim left in flight, as by a process that died mid-run.
        const now = yield* (yield* Clock).now
        yield* (yield* IdempotencyKeys).claim({
          scope: "createCheckout shop",
          key: "k",
          fingerprint: "fp-a",
          owner: "crashed",
          now,
          leaseMs: IDEMPOTENCY_LEASE_MS,
          ttlMs: IDEMPOTENCY_KEY_TTL_MS,
        })
        const { program } = yield* counting
        expect(yield* failureTag(keyed("k", program))).toBe("IdempotencyKeyInUse")
        yield* (yield* ClockControl).advance(IDEMPOTENCY_LEASE_MS)
        expect(yield* keyed("k", program)).toEqual({ _tag: "Ran", value: 1 })
      }),
    ))

  it("releases the key when answerOf returns null, so a retry runs again", () =>
    run(
      Effect.gen(function* () {
        const attempts = yield* Ref.make(0)
        const flaky = Effect.flatMap(
          Ref.updateAndGet(attempts, (n) => n + 1),
          (n) => (n === 1 ? Effect.fail("unavailable" as const) : Effect.succeed(n)),
        )
        expect(yield* Effect.either(keyed("k", flaky))).toMatchObject({ _tag: "Left", left: "unavailable" })
        expect(yield* keyed("k", flaky)).toEqual({ _tag: "Ran", value: 2 })
      }),
    ))

  it("replays a kept answer for 24 hours, then runs the key anew", () =>
    run(
      Effect.gen(function* () {
        const { program } = yield* counting
        yield* keyed("k", program)
        yield* (yield* ClockControl).advance(IDEMPOTENCY_KEY_TTL_MS - 1)
        expect((yield* keyed("k", program))._tag).toBe("Replayed")
        yield* (yield* ClockControl).advance(1)
        expect(yield* keyed("k", program)).toEqual({ _tag: "Ran", value: 2 })
        expect(IDEMPOTENCY_KEY_TTL_MS).toBe(24 * 60 * 60_000)
        expect(IDEMPOTENCY_LEASE_MS).toBe(60_000)
      }),
    ))
})
