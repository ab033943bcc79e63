import { Hold, type StoreError } from "@settle/domain"
import { Effect, Schema } from "effect"
import { fromDocument } from "../documents.js"
import { settleHold, settleKnownHold } from "../holds.js"
import { mongoRead } from "../mongoCall.js"
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
    const id = bucketId(owner, bucketOf(key, layout.bucketCount))
    const bucketMoves = (q: number) =>
      kind === "commit" ? { reserved: -q, committed: q } : { reserved: -q, available: q }
    const decode = fromDocument(Holds, layout.buckets, null)
    // One write where the server can select the hold by a condition; FerretDB reads it first (holds.ts).
    const moved =
      quantity !== undefined && !store.traits.ferretdb
        ? yield* settleKnownHold(store.holders, id, key, quantity, at, bucketMoves)
        : yield* settleHold(store.holders, decode, id, key, at, bucketMoves, quantity)
    if (moved) return true
    const ownerMoves = (q: number) =>
      kind === "commit"
        ? { [layout.reserved]: -q, [layout.committed]: q }
        : { [layout.reserved]: -q, [layout.pool]: q }
    const legacy = yield* mongoRead(layout.owners, "findOne", () =>
      store.owners.findOne({ _id: owner, "holds.key": key }, { projection: { _id: 1 } }),
    )
    if (legacy === null) return false
    return yield* settleHold(
      store.ownerHolders,
      fromDocument(Holds, layout.owners, null),
      owner,
      key,
      at,
      ownerMoves,
      quantity,
    )
  })
