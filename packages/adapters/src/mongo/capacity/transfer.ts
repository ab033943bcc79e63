import type { StoreError } from "@settle/domain"
import { Effect, Option } from "effect"
import type { Document } from "mongodb"
import { mongoCall, mongoRead } from "../mongoCall.js"
import { bucketId, type Place, placeName } from "./bucketOf.js"
import { type CapacityStore, locate, numberAt, transfersOf } from "./CapacityLayout.js"

/*
 * A transfer moves n units from one place of an owner (its pool or a bucket) to one of its buckets,
 * exactly once, in three conditional single-document writes:
 *   1. send: the source gives the units and records the transfer as pending (`transfers`), numbered
 *      by its per-destination counter `sent.<dst>`; at most one pending transfer per pair;
 *   2. credit: the destination takes them unless it has already applied that number from that source
 *      (`applied.<src>` ≥ seq), creating the bucket on its first transfer;
 *   3. clear: the source drops the pending entry, if its counter still says this transfer.
 * Each step bumps the document's `moves`, not its `version`: a transfer changes where units sit, not
 * the owner's stock as the domain counts it (its version is the owner's plus its buckets', moved once
 * per hold, settlement or restock), and the exact refusal's double collect watches both.
 * A crash after 1 leaves the entry pending: anyone who finds it (a refill, the repair) replays 2 and 3,
 * which are no-ops once done. The entry carries no number: while it is pending no other transfer of the
 * pair can be sent, so the source's `sent.<dst>` read with it in one document is its number.
 */

/** Step 1. The transfer's number, or none when the source has fewer than n or one pending to `to`. */
export const send = (
  store: CapacityStore,
  owner: string,
  from: Place,
  to: number,
  n: number,
): Effect.Effect<Option.Option<number>, StoreError> => {
  const source = locate(store, owner, from)
  const dst = placeName(to)
  return mongoRead(source.collection.collectionName, "findOneAndUpdate", () =>
    source.collection.findOneAndUpdate(
      { _id: source.id, [source.available]: { $gte: n }, $nor: [{ "transfers.to": dst }] },
      {
        $inc: { [source.available]: -n, [`sent.${dst}`]: 1, moves: 1 },
        $push: { transfers: { to: dst, n } } as Document,
      },
      // FerretDB v1 refuses findAndModify's projection ("fields" is not implemented): the whole document.
      store.traits.ferretdb
        ? { returnDocument: "after" }
        : { returnDocument: "after", projection: { [`sent.${dst}`]: 1 } },
    ),
  ).pipe(Effect.map((doc) => (doc === null ? Option.none() : Option.some(numberAt(doc, `sent.${dst}`)))))
}

/**
 * Step 2. An upsert whose filter does not match an existing bucket fails on its `_id` (11000): the
 * bucket has applied this number already. The same error also comes from two first transfers creating
 * the bucket together, so the write is tried once more without the upsert, which then decides.
 */
export const credit = (
  store: CapacityStore,
  owner: string,
  from: Place,
  to: number,
  n: number,
  seq: number,
): Effect.Effect<void, StoreError> => {
  const applied = `applied.${placeName(from)}`
  const filter = { _id: bucketId(owner, to), $nor: [{ [applied]: { $gte: seq } }] }
  const update = { $inc: { available: n, moves: 1 }, $set: { [applied]: seq } }
  const name = store.buckets.collectionName
  return mongoCall(name, "updateOne", () =>
    store.buckets.updateOne(
      filter,
      {
        ...update,
        // No empty `holds`/`transfers`: FerretDB v1 drops empty arrays from $setOnInsert, so every
        // reader takes a missing array as empty instead, on every server alike.
        $setOnInsert: { owner, b: to, reserved: 0, committed: 0, version: 0 },
      },
      { upsert: true },
    ),
  ).pipe(
    Effect.catchTag("DuplicateKey", () =>
      mongoRead(name, "updateOne", () => store.buckets.updateOne(filter, update)),
    ),
    Effect.asVoid,
  )
}

/** Step 3. Pulls the entry exactly as pushed ({to, n}, in that order), the form FerretDB v1 removes. */
export const clear = (
  store: CapacityStore,
  owner: string,
  from: Place,
  to: number,
  n: number,
  seq: number,
): Effect.Effect<void, StoreError> => {
  const source = locate(store, owner, from)
  const dst = placeName(to)
  const entry = { to: dst, n }
  return mongoRead(source.collection.collectionName, "updateOne", () =>
    source.collection.updateOne(
      { _id: source.id, [`sent.${dst}`]: seq, transfers: { $all: [entry] } },
      { $pull: { transfers: entry } as Document, $inc: { moves: 1 } },
    ),
  ).pipe(Effect.asVoid)
}

/** The three steps: false when the source could not send (too few units, or a transfer to `to` pending). */
export const transfer = (
  store: CapacityStore,
  owner: string,
  from: Place,
  to: number,
  n: number,
): Effect.Effect<boolean, StoreError> =>
  Effect.flatMap(send(store, owner, from, to, n), (seq) =>
    Option.match(seq, {
      onNone: () => Effect.succeed(false),
      onSome: (s) =>
        Effect.as(
          Effect.zipRight(credit(store, owner, from, to, n, s), clear(store, owner, from, to, n, s)),
          true,
        ),
    }),
  )

/** A destination's name back to its bucket; a name no transfer writes is left alone. */
const bucketNamed = (name: string): Option.Option<number> => {
  const b = /^b(\d+)$/.exec(name)?.[1]
  return b === undefined ? Option.none() : Option.some(Number(b))
}

/**
 * Replays steps 2 and 3 of every transfer pending at `from`. Entries and counters are read in one
 * document, so each entry is paired with its own number. Returns the transfers it completed.
 */
export const completePending = (
  store: CapacityStore,
  owner: string,
  from: Place,
): Effect.Effect<ReadonlyArray<{ readonly to: string; readonly n: number }>, StoreError> =>
  Effect.gen(function* () {
    const source = locate(store, owner, from)
    const doc = yield* mongoRead(source.collection.collectionName, "findOne", () =>
      source.collection.findOne({ _id: source.id }, { projection: { transfers: 1, sent: 1 } }),
    )
    if (doc === null) return []
    const done: Array<{ to: string; n: number }> = []
    for (const entry of transfersOf(doc)) {
      const to = bucketNamed(entry.to)
      if (Option.isNone(to)) continue
      const seq = numberAt(doc, `sent.${entry.to}`)
      yield* credit(store, owner, from, to.value, entry.n, seq)
      yield* clear(store, owner, from, to.value, entry.n, seq)
      done.push({ to: entry.to, n: entry.n })
    }
    return done
  })
