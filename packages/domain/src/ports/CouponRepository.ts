import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, StoreError } from "../errors.js"
import type { Coupon, CouponSummary, CouponTerms } from "../model/Coupon.js"
import type { CommitOutcome, HoldOutcome, ReleaseOutcome } from "../model/Hold.js"
import type { CouponCode, CouponId, OrderId } from "../model/Ids.js"

export interface CouponChanges {
  readonly active?: boolean
  readonly expiresAt?: Date | null
}

/** A page of coupons in code order (code is unique and never changes, so the order is stable). */
export interface CouponPageQuery {
  /** Only coupons whose code sorts after this one: the last code of the page before. */
  readonly after?: CouponCode | undefined
  readonly limit: number
}

/** Coupons and their redemption capacity. Every capacity move is one conditional write on the coupon. */
export interface CouponRepository {
  /** Insert a coupon; DuplicateKey when the id or code exists. */
  readonly insert: (coupon: Coupon) => Effect.Effect<void, DuplicateKey | StoreError>
  /** Look a coupon up by id. */
  readonly findById: (id: CouponId) => Effect.Effect<Option.Option<Coupon>, StoreError>
  /** Look a coupon up by id, without its holds: the admin's read, whatever the open checkouts. */
  readonly findSummary: (id: CouponId) => Effect.Effect<Option.Option<CouponSummary>, StoreError>
  /**
   * Look a coupon up by its code, without its holds and counters. The checkout's read: it must not pay
   * for the open holds of a popular coupon nor for the documents its counters are spread over
   * (issue 13); `hold` decides the capacity.
   */
  readonly findByCode: (code: CouponCode) => Effect.Effect<Option.Option<CouponTerms>, StoreError>
  /** All coupons, by code. */
  readonly list: () => Effect.Effect<ReadonlyArray<Coupon>, StoreError>
  /** Up to `limit` coupons by code, past `after`, without their holds; read by the code index, never all coupons. */
  readonly listPage: (query: CouponPageQuery) => Effect.Effect<ReadonlyArray<CouponSummary>, StoreError>
  /** Change active/expiresAt if the version still matches; answers the coupon written, without its holds. */
  readonly update: (
    id: CouponId,
    expectedVersion: number,
    changes: CouponChanges,
    at: Date,
  ) => Effect.Effect<Option.Option<CouponSummary>, StoreError>
  /** Take one unit of capacity for `key` if the coupon is active, available > 0 and `key` holds none. */
  readonly hold: (
    id: CouponId,
    key: string,
    orderId: OrderId,
    at: Date,
  ) => Effect.Effect<HoldOutcome, StoreError>
  /** Turn the hold of `key` into a redemption (reservedCount -1, redeemedCount +1), once. */
  readonly redeemHold: (id: CouponId, key: string, at: Date) => Effect.Effect<CommitOutcome, StoreError>
  /** Return the hold of `key` to available, once. */
  readonly releaseHold: (id: CouponId, key: string, at: Date) => Effect.Effect<ReleaseOutcome, StoreError>
  /**
   * Rewrite the counters from the holds (reservedCount = held units,
   * available = max - reserved - redeemed) if the version still matches: the repair job's fix for drift.
   */
  readonly recount: (
    id: CouponId,
    expectedVersion: number,
    at: Date,
  ) => Effect.Effect<Option.Option<Coupon>, StoreError>
}

export const CouponRepository = Context.GenericTag<CouponRepository>("@settle/domain/CouponRepository")
