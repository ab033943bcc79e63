import { OrderId } from "@settle/domain"
import { Effect, Fiber, Option } from "effect"
import { describe, expect, it } from "vitest"
import { bucketOf } from "../../src/mongo/capacity/bucketOf.js"
import { capacityStore } from "../../src/mongo/capacity/CapacityLayout.js"
import { clear, credit, send, transfer } from "../../src/mongo/capacity/transfer.js"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import { onFerretDB, serverName } from "../support/mongoStorage.js"
import {
  at,
  expectConserved,
  insertOwner,
  layoutWith,
  run,
  totalsOf,
  withEngine,
} from "./capacityBuckets.support.js"

/**
 * A crash between the steps of a transfer, played by running its first steps alone (as a process that
 * died after them would have): the units are counted as in flight, never as gone, and the repair or
 * the next hold that needs them completes the transfer exactly once.
 */
const steps = Effect.gen(function* () {
  const { db, traits } = yield* MongoDatabase
  const store = capacityStore(db, traits, layoutWith(4, 2))
  const bucket = (b: number) =>
    Effect.promise(() => db.collection("ownerbuckets").findOne({ _id: `p#${b}` as never }))
  const pool = Effect.promise(() => db.collection("owners").findOne({ _id: "p" as never })).pipe(
    Effect.map((doc) => doc?.stock.available),
  )
  return { store, bucket, pool }
})

const sent = (seq: Option.Option<number>) =>
  Option.getOrThrowWith(seq, () => new Error("the source did not send"))

describe("a transfer interrupted between its steps", () => {
  it("after the send: counted in flight, then completed once by the repair", () =>
    run(
      Effect.gen(function* () {
        const { db, engine } = yield* withEngine(4, 2)
        const { store, bucket, pool } = yield* steps
        yield* insertOwner(db, "p", 10)
        expect(sent(yield* send(store, "p", "root", 1, 3))).toBe(1)
        expect(yield* pool).toBe(7)
        expect(yield* bucket(1)).toBeNull()
        expect(yield* totalsOf(engine, "p")).toMatchObject({ available: 10, inFlight: 3 })
        expect((yield* engine.counters(["p"])).get("p")).toMatchObject({ available: 10, inFlight: 3 })
        yield* expectConserved(db, "p", 10)
        // A second transfer of the pair waits for the first: the per-pair order the numbers rely on.
        expect(yield* send(store, "p", "root", 1, 1)).toEqual(Option.none())
        expect(yield* engine.repair("p")).toEqual([{ from: "root", to: "b1", n: 3 }])
        expect(yield* engine.repair("p")).toEqual([])
        expect(yield* bucket(1)).toMatchObject({ available: 3, applied: { root: 1 } })
        // A bucket made by a transfer has units and no holds yet: nothing of any key to settle there.
        const key = ["x/0", "y/0", "z/0", "w/0", "v/0", "u/0"].find((k) => bucketOf(k, 4) === 1) ?? "t/0"
        expect(bucketOf(key, 4)).toBe(1)
        expect(yield* engine.settle("p", key, at, "release")).toBe(false)
        expect(yield* engine.settle("p", key, at, "commit", 1)).toBe(false)
        expect(yield* totalsOf(engine, "p")).toMatchObject({ available: 10, inFlight: 0 })
        yield* expectConserved(db, "p", 10)
      }),
    ))

  it("after the credit: the replayed credit applies nothing, the clear completes it", () =>
    run(
      Effect.gen(function* () {
        const { db, engine } = yield* withEngine(4, 2)
        const { store, bucket } = yield* steps
        yield* insertOwner(db, "p", 10)
        const seq = sent(yield* send(store, "p", "root", 2, 4))
        yield* credit(store, "p", "root", 2, 4, seq)
        yield* credit(store, "p", "root", 2, 4, seq)
        expect(yield* bucket(2)).toMatchObject({ available: 4 })
        // Credited and still pending: counted once, where it arrived.
        expect(yield* totalsOf(engine, "p")).toMatchObject({ available: 10, inFlight: 0 })
        expect((yield* engine.counters(["p"])).get("p")).toMatchObject({ available: 10, inFlight: 0 })
        expect(yield* engine.repair("p")).toEqual([{ from: "root", to: "b2", n: 4 }])
        expect(yield* bucket(2)).toMatchObject({ available: 4 })
        expect(yield* totalsOf(engine, "p")).toMatchObject({ available: 10, inFlight: 0 })
        yield* expectConserved(db, "p", 10)
      }),
    ))

  it("a stale replay of a finished transfer neither credits again nor clears the next one of the pair", () =>
    run(
      Effect.gen(function* () {
        const { db, engine } = yield* withEngine(4, 2)
        const { store, bucket } = yield* steps
        yield* insertOwner(db, "p", 10)
        const first = sent(yield* send(store, "p", "root", 3, 2))
        yield* credit(store, "p", "root", 3, 2, first)
        yield* clear(store, "p", "root", 3, 2, first)
        const second = sent(yield* send(store, "p", "root", 3, 2))
        expect(second).toBe(first + 1)
        // A process that read the first transfer as pending wakes up now and replays it.
        yield* credit(store, "p", "root", 3, 2, first)
        yield* clear(store, "p", "root", 3, 2, first)
        expect(yield* bucket(3)).toMatchObject({ available: 2 })
        expect(yield* totalsOf(engine, "p")).toMatchObject({ available: 10, inFlight: 2 })
        expect(yield* engine.repair("p")).toEqual([{ from: "root", to: "b3", n: 2 }])
        expect(yield* bucket(3)).toMatchObject({ available: 4 })
        yield* expectConserved(db, "p", 10)
      }),
    ))

  it("between buckets: a steal cut after its send is completed by the next hold that needs the units", () =>
    run(
      Effect.gen(function* () {
        const { db, engine } = yield* withEngine(4, 2)
        const { store, bucket } = yield* steps
        yield* insertOwner(db, "p", 2)
        const order = OrderId.make("ord_crash")
        // All units into bucket 0, then half of them sent on to bucket 1 by a process that died there.
        yield* credit(store, "p", "root", 0, 2, sent(yield* send(store, "p", "root", 0, 2)))
        yield* clear(store, "p", "root", 0, 2, 1)
        sent(yield* send(store, "p", 0, 1, 1))
        yield* expectConserved(db, "p", 2)
        const key = ["x/0", "y/0", "z/0", "w/0", "v/0"].find((k) => bucketOf(k, 4) === 1) ?? "u/0"
        expect(bucketOf(key, 4)).toBe(1)
        expect(yield* engine.hold("p", key, order, 2, at)).toBe("held")
        expect(yield* bucket(0)).toMatchObject({ available: 0, transfers: [] })
        expect(yield* totalsOf(engine, "p")).toMatchObject({ available: 0, reserved: 2, inFlight: 0 })
        yield* expectConserved(db, "p", 2)
      }),
    ))
})

describe.skipIf(onFerretDB())("a refusal while units move between buckets", () => {
  // Racing writes on FerretDB v1 (FerretDB #3040) can lose the unit itself: atomic servers only.
  it(
    `never refuses the one unit that is always somewhere (${serverName()})`,
    () =>
      run(
        Effect.gen(function* () {
          const { db, engine } = yield* withEngine(4, 1)
          const { store } = yield* steps
          yield* insertOwner(db, "p", 1)
          const order = OrderId.make("ord_moving")
          const key = ["x/0", "y/0", "z/0", "w/0", "v/0", "u/0"].find((k) => bucketOf(k, 4) === 1) ?? "t/0"
          expect(bucketOf(key, 4)).toBe(1)
          // Keeps the unit travelling between buckets 0, 2 and 3 (and out of 1 after each release).
          const mover = yield* Effect.forever(
            Effect.forEach(
              [
                ["root", 0],
                [1, 2],
                [0, 2],
                [2, 3],
                [3, 0],
              ] as const,
              ([from, to]) => transfer(store, "p", from, to, 1),
              { discard: true },
            ),
          ).pipe(Effect.fork)
          const outcomes: Array<string> = []
          for (let round = 0; round < 150; round++) {
            outcomes.push(yield* engine.hold("p", key, order, 1, at))
            yield* engine.settle("p", key, at, "release")
          }
          yield* Fiber.interrupt(mover)
          yield* engine.repair("p")
          expect(outcomes.filter((o) => o !== "held")).toEqual([])
          yield* expectConserved(db, "p", 1)
        }),
      ),
    120_000,
  )
})
