import type { StoreError } from "@settle/domain"
import { Effect } from "effect"
import type { Document } from "mongodb"
import { mongoRead } from "../mongoCall.js"
import { bucketId, type Place } from "./bucketOf.js"
import { type CapacityStore, numberAt, transfersOf } from "./CapacityLayout.js"
import { completePending, transfer } from "./transfer.js"

/** What a refill did: moved something (look again), found no capacity anywhere, or no owner. */
export type Refill = "moved" | "none" | "not_found"

interface PlaceState {
  readonly place: Place
  readonly available: number
  readonly version: number
  readonly moves: number
  readonly pending: number
}

/** Every place of an owner as read one after another (not a snapshot: see `gather`). */
interface Collect {
  readonly root: PlaceState | null
  readonly buckets: ReadonlyArray<PlaceState>
}

const stateOf = (place: Place, doc: Document, available: string): PlaceState => ({
  place,
  available: numberAt(doc, available),
  version: numberAt(doc, "version"),
  moves: numberAt(doc, "moves"),
  pending: transfersOf(doc).length,
})

const collect = (store: CapacityStore, owner: string): Effect.Effect<Collect, StoreError> =>
  Effect.gen(function* () {
    const { pool } = store.layout
    const root = yield* mongoRead(store.owners.collectionName, "findOne", () =>
      store.owners.findOne({ _id: owner }, { projection: { [pool]: 1, version: 1, moves: 1, transfers: 1 } }),
    )
    const buckets = yield* mongoRead(store.buckets.collectionName, "find", () =>
      store.buckets
        .find({ owner }, { projection: { b: 1, available: 1, version: 1, moves: 1, transfers: 1 } })
        .sort({ b: 1 })
        .toArray(),
    )
    return {
      root: root === null ? null : stateOf("root", root, pool),
      buckets: buckets.map((doc) => stateOf(numberAt(doc, "b"), doc, "available")),
    }
  })

/** Every write to a place bumps its version or its moves: equal fingerprints mean no place changed. */
const fingerprint = (c: Collect) =>
  JSON.stringify([[c.root?.version, c.root?.moves], c.buckets.map((b) => [b.place, b.version, b.moves])])

/**
 * Every place's (version, moves) as read now. The same stamp before and after reading the owner's
 * documents one by one means no place changed in between (the counters only grow), so what was read
 * is the owner at one instant: the double collect, for a caller that writes from what it summed.
 */
export const stamp = (store: CapacityStore, owner: string): Effect.Effect<string, StoreError> =>
  Effect.map(collect(store, owner), fingerprint)

/**
 * The exact path. Completes transfers left pending (by a crash, or still in flight), then gathers
 * `quantity` into `dst` from the pool and the siblings, however the units are split. It answers "none"
 * only when two collects in a row saw every place unchanged and together short of the
 * quantity: then at the instant between them that was the whole truth (the double collect), so no unit
 * in flight or in transit between buckets is ever counted as gone.
 */
const gather = (
  store: CapacityStore,
  owner: string,
  dst: number,
  quantity: number,
): Effect.Effect<Refill, StoreError> =>
  Effect.gen(function* () {
    const first = yield* collect(store, owner)
    if (first.root === null) return "not_found"
    const places = [first.root, ...first.buckets]
    const pending = places.filter((p) => p.pending > 0)
    if (pending.length > 0) {
      yield* Effect.forEach(pending, (p) => completePending(store, owner, p.place), { discard: true })
      return "moved"
    }
    const held = first.buckets.find((b) => b.place === dst)?.available ?? 0
    let need = quantity - held
    if (need <= 0) return "moved"
    const sources = [
      first.root,
      ...first.buckets.filter((b) => b.place !== dst).sort((x, y) => y.available - x.available),
    ].filter((p) => p.available > 0)
    if (sources.reduce((sum, p) => sum + p.available, 0) < need) {
      const second = yield* collect(store, owner)
      return fingerprint(first) === fingerprint(second) ? "none" : "moved"
    }
    for (const source of sources) {
      const n =
        source.place === "root"
          ? Math.min(source.available, Math.max(need, store.layout.chunk))
          : Math.min(source.available, need)
      // A lost race leaves whatever arrived in dst: look again from the start.
      if (!(yield* transfer(store, owner, source.place, dst, n))) return "moved"
      need -= n
      if (need <= 0) break
    }
    return "moved"
  })

/**
 * Brings at least `quantity` units to bucket `dst`, or says there are none. The common cases cost a
 * read and one transfer: a chunk from the owner's pool, else half of a sibling that has enough (half,
 * so that a drained pool is shared out in a few steals, not one per hold). Anything else goes the
 * exact way (`gather`).
 */
export const refill = (
  store: CapacityStore,
  owner: string,
  dst: number,
  quantity: number,
): Effect.Effect<Refill, StoreError> =>
  Effect.gen(function* () {
    const { pool, chunk } = store.layout
    const root = yield* mongoRead(store.owners.collectionName, "findOne", () =>
      store.owners.findOne({ _id: owner }, { projection: { [pool]: 1 } }),
    )
    if (root === null) return "not_found"
    const unallotted = numberAt(root, pool)
    if (unallotted >= quantity) {
      const n = Math.min(unallotted, Math.max(quantity, chunk))
      if (yield* transfer(store, owner, "root", dst, n)) return "moved"
    }
    const sibling = yield* mongoRead(store.buckets.collectionName, "findOne", () =>
      store.buckets.findOne(
        { owner, available: { $gte: quantity }, _id: { $ne: bucketId(owner, dst) } },
        // The richest sibling: half of it serves many refills; the poorest would be robbed unit by unit.
        { projection: { b: 1, available: 1 }, sort: { available: -1 } },
      ),
    )
    if (sibling !== null) {
      const available = numberAt(sibling, "available")
      const n = Math.max(quantity, Math.floor(available / 2))
      if (yield* transfer(store, owner, numberAt(sibling, "b"), dst, n)) return "moved"
    }
    return yield* gather(store, owner, dst, quantity)
  })
