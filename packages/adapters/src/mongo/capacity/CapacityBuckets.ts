import type { HoldOutcome, OrderId, StoreError } from "@settle/domain"
import type { Effect, Option } from "effect"
import type { Db } from "mongodb"
import type { ServerTraits } from "../serverTraits.js"
import { type CapacityLayout, capacityStore } from "./CapacityLayout.js"
import { type CapacityCounters, counters } from "./counters.js"
import { hold } from "./hold.js"
import { stamp } from "./refill.js"
import { type CompletedTransfer, repair } from "./repair.js"
import { type Settlement, settle } from "./settle.js"
import { addUnits, restockUnits } from "./stock.js"
import { type CapacityTotals, totals } from "./totals.js"

/**
 * One kind of owner's capacity (a product's stock, a coupon's redemptions) spread over the owner's
 * document (its unallotted pool) and buckets of their own holds, so that no write pays for, and no
 * document carries, the open holds of a hot owner (issue 13). Every capacity move and the record of
 * the hold that made it stay one conditional single-document write, as before.
 */
export interface CapacityBuckets {
  /** Reserve `quantity` units for `key` if the owner has that many free and `key` holds nothing yet. */
  readonly hold: (
    owner: string,
    key: string,
    orderId: OrderId,
    quantity: number,
    at: Date,
  ) => Effect.Effect<HoldOutcome, StoreError>
  /** Commit or release the units held by `key` (for `quantity` when given), once; false when not held. */
  readonly settle: (
    owner: string,
    key: string,
    at: Date,
    kind: Settlement,
    quantity?: number,
  ) => Effect.Effect<boolean, StoreError>
  /** Add units to the owner's pool; false when there is no such owner. */
  readonly add: (owner: string, n: number, at: Date) => Effect.Effect<boolean, StoreError>
  /** Move `n` committed units back to available if that many are committed. */
  readonly restock: (owner: string, n: number, at: Date) => Effect.Effect<boolean, StoreError>
  /** Several owners' counters summed over their documents and buckets, without holds (an update's check). */
  readonly counters: (
    owners: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyMap<string, CapacityCounters>, StoreError>
  /** The owner's counters summed over its document and buckets, and its holds. */
  readonly totals: (owner: string) => Effect.Effect<Option.Option<CapacityTotals>, StoreError>
  /** Complete the transfers a crash left pending; says which. */
  readonly repair: (owner: string) => Effect.Effect<ReadonlyArray<CompletedTransfer>, StoreError>
  /** Every place's (version, moves): equal before and after a read, the read saw one instant. */
  readonly stamp: (owner: string) => Effect.Effect<string, StoreError>
}

export const make = (db: Db, traits: ServerTraits, layout: CapacityLayout): CapacityBuckets => {
  const store = capacityStore(db, traits, layout)
  return {
    hold: (owner, key, orderId, quantity, at) => hold(store, owner, key, orderId, quantity, at),
    settle: (owner, key, at, kind, quantity) => settle(store, owner, key, at, kind, quantity),
    add: (owner, n, at) => addUnits(store, owner, n, at),
    restock: (owner, n, at) => restockUnits(store, owner, n, at),
    counters: (owners) => counters(store, owners),
    totals: (owner) => totals(store, owner),
    repair: (owner) => repair(store, owner),
    stamp: (owner) => stamp(store, owner),
  }
}
