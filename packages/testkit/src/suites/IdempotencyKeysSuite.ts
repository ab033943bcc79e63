import {
  type ClaimOutcome,
  type Clock,
  type IdempotencyClaim,
  IdempotencyKeys,
  type IdGenerator,
  idempotentRequest,
  type StoredAnswer,
} from "@settle/domain"
import { Effect, Either, Exit, Layer, Ref } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as ControlledClock from "../fakes/ControlledClock.js"
import * as SequentialIds from "../fakes/SequentialIds.js"
import { scheduled, withInterleaving } from "../faults/Interleaving.js"
import { minute, T0 } from "../fixtures.js"
import { runInLayer } from "./runInLayer.js"

const LEASE = 60_000
const TTL = 24 * 60 * 60_000

const claimOf = (overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
  scope: "createCheckout shop",
  key: "key-1",
  fingerprint: "fp-a",
  owner: "idem_1",
  now: minute(0),
  leaseMs: LEASE,
  ttlMs: TTL,
  ...overrides,
})

const anAnswer: StoredAnswer = {
  status: 201,
  // Field names a document store could mistake for operators or paths come back as sent.
  body: {
    order: { id: "ord_1", total: { amount: 1200, currency: "EUR" } },
    $weird: { "a.b": [1, null, "x"] },
  },
  headers: { location: "/api/v1/orders/ord_1" },
}

const claim = (overrides: Partial<IdempotencyClaim> = {}) =>
  Effect.flatMap(IdempotencyKeys, (keys) => keys.claim(claimOf(overrides)))

const tagOf = (outcome: ClaimOutcome) => outcome._tag

/** `count` runs claim one key at once at `now`; the owners that got it. */
const race = (count: number, overrides: Partial<IdempotencyClaim>) =>
  Effect.all(
    Array.from({ length: count }, (_, i) =>
      Effect.map(claim({ ...overrides, owner: `racer-${i}` }), (outcome) =>
        outcome._tag === "Claimed" ? [`racer-${i}`] : [],
      ),
    ),
    { concurrency: "unbounded" },
  ).pipe(Effect.map((results) => results.flat()))

/**
 * The IdempotencyKeys contract: one owner per key at any time whatever the concurrency, a stored answer
 * kept exactly, takeover of a crashed claim after the lease, expiry after the time to live. As for job
 * leases there is no relaxed variant for servers that race conditional writes: a key two requests can
 * hold at once protects nothing.
 */
export const suite = <E>(name: string, layer: Layer.Layer<IdempotencyKeys, E>): void => {
  const run = runInLayer(layer)

  describe(name, () => {
    it("gives a free key to the first claim and keeps it in flight with its request's fingerprint", () =>
      run(
        Effect.gen(function* () {
          const keys = yield* IdempotencyKeys
          expect(yield* keys.find("createCheckout shop", "key-1")).toBeNull()
          expect(tagOf(yield* claim())).toBe("Claimed")
          expect(yield* keys.find("createCheckout shop", "key-1")).toEqual({
            scope: "createCheckout shop",
            key: "key-1",
            fingerprint: "fp-a",
            state: "in_flight",
            owner: "idem_1",
            answer: null,
            claimedAt: minute(0),
            expiresAt: new Date(minute(0).getTime() + TTL),
          })
        }),
      ))

    it("answers a second claim with the record holding the key, in flight and then completed", () =>
      run(
        Effect.gen(function* () {
          const keys = yield* IdempotencyKeys
          yield* claim()
          const inFlight = yield* claim({ owner: "idem_2", fingerprint: "fp-b", now: minute(0.5) })
          expect(inFlight).toMatchObject({ _tag: "Held", record: { owner: "idem_1", state: "in_flight" } })
          expect(yield* keys.complete("createCheckout shop", "key-1", "idem_1", anAnswer)).toBe(true)
          // A completed key is not a crashed one: the lease no longer applies.
          const done = yield* claim({ owner: "idem_3", now: minute(90) })
          expect(done).toEqual({
            _tag: "Held",
            record: expect.objectContaining({ state: "completed", owner: "idem_1", answer: anAnswer }),
          })
        }),
      ))

    it("keeps scopes and keys apart", () =>
      run(
        Effect.gen(function* () {
          yield* claim()
          expect(
            tagOf(yield* claim({ owner: "idem_2", scope: "createCheckout admin:ops@example.com" })),
          ).toBe("Claimed")
          expect(tagOf(yield* claim({ owner: "idem_3", key: "key-2" }))).toBe("Claimed")
          expect(tagOf(yield* claim({ owner: "idem_4" }))).toBe("Held")
        }),
      ))

    it("frees a released key at once for the next claim; a release or completion by another run does nothing", () =>
      run(
        Effect.gen(function* () {
          const keys = yield* IdempotencyKeys
          yield* claim()
          yield* keys.release("createCheckout shop", "key-1", "idem_9")
          expect(yield* keys.complete("createCheckout shop", "key-1", "idem_9", anAnswer)).toBe(false)
          expect(yield* keys.find("createCheckout shop", "key-1")).toMatchObject({
            owner: "idem_1",
            state: "in_flight",
          })
          yield* keys.release("createCheckout shop", "key-1", "idem_1")
          expect(yield* keys.find("createCheckout shop", "key-1")).toBeNull()
          expect(tagOf(yield* claim({ owner: "idem_2", fingerprint: "fp-b" }))).toBe("Claimed")
          expect(yield* keys.find("createCheckout shop", "key-1")).toMatchObject({
            owner: "idem_2",
            fingerprint: "fp-b",
          })
        }),
      ))

    it("hands an in-flight key over once its lease has passed; the crashed run can no longer complete it", () =>
      run(
        Effect.gen(function* () {
          const keys = yield* IdempotencyKeys
          yield* claim()
          const justBefore = new Date(minute(0).getTime() + LEASE - 1)
          expect(tagOf(yield* claim({ owner: "idem_2", now: justBefore }))).toBe("Held")
          expect(tagOf(yield* claim({ owner: "idem_2", now: minute(1) }))).toBe("Claimed")
          expect(yield* keys.complete("createCheckout shop", "key-1", "idem_1", anAnswer)).toBe(false)
          yield* keys.release("createCheckout shop", "key-1", "idem_1")
          expect(yield* keys.find("createCheckout shop", "key-1")).toMatchObject({
            owner: "idem_2",
            state: "in_flight",
            claimedAt: minute(1),
          })
          expect(yield* keys.complete("createCheckout shop", "key-1", "idem_2", anAnswer)).toBe(true)
        }),
      ))

    it("forgets a completed key at its expiry, exactly: the next claim runs anew", () =>
      run(
        Effect.gen(function* () {
          const keys = yield* IdempotencyKeys
          yield* claim()
          yield* keys.complete("createCheckout shop", "key-1", "idem_1", anAnswer)
          const expiry = minute(24 * 60)
          expect(tagOf(yield* claim({ owner: "idem_2", now: new Date(expiry.getTime() - 1) }))).toBe("Held")
          expect(tagOf(yield* claim({ owner: "idem_2", fingerprint: "fp-b", now: expiry }))).toBe("Claimed")
          expect(yield* keys.find("createCheckout shop", "key-1")).toMatchObject({
            owner: "idem_2",
            fingerprint: "fp-b",
            state: "in_flight",
            answer: null,
          })
        }),
      ))

    it("gives a free key to exactly one of 20 claims at once", () =>
      run(
        Effect.gen(function* () {
          const keys = yield* IdempotencyKeys
          for (let round = 0; round < 5; round++) {
            const key = `race-free-${round}`
            const winners = yield* race(20, { key })
            expect(winners).toHaveLength(1)
            expect((yield* keys.find("createCheckout shop", key))?.owner).toBe(winners[0])
          }
        }),
      ))

    it("gives a crashed claim's key to exactly one of 20 claims at once, after the lease", () =>
      run(
        Effect.gen(function* () {
          const keys = yield* IdempotencyKeys
          for (let round = 0; round < 5; round++) {
            const key = `race-stale-${round}`
            yield* claim({ key, owner: "crashed" })
            const winners = yield* race(20, { key, now: minute(2) })
            expect(winners).toHaveLength(1)
            expect((yield* keys.find("createCheckout shop", key))?.owner).toBe(winners[0])
          }
        }),
      ))

    it("runs a request once however its concurrent retries with one key interleave (fc.scheduler)", () =>
      fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 6 }), async (s, retries) => {
          const world = Layer.merge(
            withInterleaving(layer, s, [scheduled(IdempotencyKeys)]),
            Layer.merge(ControlledClock.layer(T0), SequentialIds.layer),
          )
          const outcomes = await runInLayer(world)(
            Effect.gen(function* () {
              const runs = yield* Ref.make(0)
              const request = Effect.as(
                Ref.update(runs, (n) => n + 1),
                "ord_1",
              )
              const attempts = Array.from({ length: retries }, () =>
                Effect.either(
                  idempotentRequest(
                    { scope: "createCheckout shop", key: "retried", fingerprint: "fp-a" },
                    request,
                    (exit) => (Exit.isSuccess(exit) ? { ...anAnswer, body: exit.value } : null),
                  ),
                ),
              )
              // The scheduler releases the port calls only while waitFor runs, so the runs start inside it.
              const context = yield* Effect.context<IdempotencyKeys | Clock | IdGenerator>()
              const all = Effect.provide(Effect.all(attempts, { concurrency: "unbounded" }), context)
              const settled = yield* Effect.promise(() => s.waitFor(Effect.runPromise(all)))
              return { settled, runs: yield* Ref.get(runs) }
            }),
          )
          expect(outcomes.runs).toBe(1)
          for (const outcome of outcomes.settled) {
            if (Either.isLeft(outcome)) expect(outcome.left._tag).toBe("IdempotencyKeyInUse")
            else
              expect(outcome.right).toMatchObject(
                outcome.right._tag === "Ran" ? { value: "ord_1" } : { answer: { body: "ord_1" } },
              )
          }
          expect(outcomes.settled.filter((o) => Either.isRight(o) && o.right._tag === "Ran")).toHaveLength(1)
        }),
        { numRuns: 20 },
      ))
  })
}
