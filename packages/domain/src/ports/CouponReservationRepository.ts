import { Context, type Effect, type Option } from "effect"
import type { DuplicateKey, StoreError } from "../errors.js"
import type { CouponReservation, CouponReservationStatus } from "../model/CouponReservation.js"
import type { CouponId, OrderId } from "../model/Ids.js"

export interface CouponReservationRepository {
  /** Insert a reservation; DuplicateKey when (couponId, orderId) exists. */
  readonly insert: (reservation: CouponReservation) => Effect.Effect<void, DuplicateKey | StoreError>
  /** The reservation of one order on one coupon. */
  readonly find: (
    couponId: CouponId,
    orderId: OrderId,
  ) => Effect.Effect<Option.Option<CouponReservation>, StoreError>
  /** Set `to` (and optionally a new expiresAt) if the status is one of `from`. */
  readonly transition: (
    couponId: CouponId,
    orderId: OrderId,
    from: ReadonlyArray<CouponReservationStatus>,
    to: CouponReservationStatus,
    at: Date,
    expiresAt?: Date,
  ) => Effect.Effect<Option.Option<CouponReservation>, StoreError>
  /** Reservations still `reserved` whose expiresAt is before `now`, oldest first: the runbook's leak query. */
  readonly findLeaked: (
    now: Date,
    limit: number,
  ) => Effect.Effect<ReadonlyArray<CouponReservation>, StoreError>
  /** How many reservations are `reserved` with expiresAt before `now`. */
  readonly countLeaked: (now: Date) => Effect.Effect<number, StoreError>
  /** All reservations of a coupon with the given status. */
  readonly listByCoupon: (
    couponId: CouponId,
    status: CouponReservationStatus,
  ) => Effect.Effect<ReadonlyArray<CouponReservation>, StoreError>
}

export const CouponReservationRepository = Context.GenericTag<CouponReservationRepository>(
  "@settle/domain/CouponReservationRepository",
)
