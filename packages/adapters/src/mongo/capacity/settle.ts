import { Hold, type StoreError } from "@settle/domain"
import { Effect, Schema } from "effect"
import { fromDocument } from "../documents.js"
import { settleHold, settleKnownHold } from "../holds.js"
import { bucketId, bucketOf } from "./bucketOf.js"
import type { CapacityStore } from "./CapacityLayout.js"

/** What settling a hold does with its units: commit (a sale, a redemption) or release them. */
export type Settlement = "commit" | "release"

/** A bucket has no `holds` until its first hold. */
const Holds = Schema.Struct({ holds: Schema.optionalWith(Schema.Array(Hold), { default: () => [] }) })

/**
 * Removes `key`'s hold from its bucket and moves its units (reserved → committed, or back to the
 * bucket's available), once; false when `key` holds nothing there. A hold the owner document kept from
 * before the buckets (and only such a hold) is settled there instead, the same way.
 */
export const settle = (
  store: CapacityStore,
  owner: string,
  key: string,
  at: Date,
  kind: Settlement,
  quantity?: number,
): Effect.Effect<boolean, StoreError> =>
  Effect.gen(function* () {
    const { layout } = store
    const bucketMoves = (q: number) =>
      kind === "commit" ? { reserved: -q, committed: q } : { reserved: -q, available: q }
    // One write where the server can select the hold by a condition; FerretDB reads it first (holds.ts).
    const move = (
      collection: typeof store.holders,
      name: string,
      id: string,
      moves: (q: number) => Readonly<Record<string, number>>,
    ) =>
      quantity !== undefined && !store.traits.ferretdb
        ? settleKnownHold(collection, id, key, quantity, at, moves)
        : settleHold(collection, fromDocument(Holds, name, null), id, key, at, moves, quantity)
    const bucket = bucketId(owner, bucketOf(key, layout.bucketCount))
    if (yield* move(store.holders, layout.buckets, bucket, bucketMoves)) return true
    const ownerMoves = (q: number) =>
      kind === "commit"
        ? { [layout.reserved]: -q, [layout.committed]: q }
        : { [layout.reserved]: -q, [layout.pool]: q }
    return yield* move(store.ownerHolders, layout.owners, owner, ownerMoves)
  })
