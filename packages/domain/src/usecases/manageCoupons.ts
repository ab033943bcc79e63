import { Effect, Option } from "effect"
import {
  CouponNotFound,
  type DuplicateKey,
  InputRefused,
  type InvalidInput,
  type StoreError,
  type VersionConflict,
  type WriteConflict,
} from "../errors.js"
import { ActorField } from "../model/AdminInput.js"
import type { Coupon, CouponSummary } from "../model/Coupon.js"
import { CouponRef, CreateCouponInput, UpdateCouponInput } from "../model/CouponInput.js"
import { CouponCode, CouponId } from "../model/Ids.js"
import type { Page, PageRequest, UnknownCursor } from "../model/Page.js"
import type { AuditLog } from "../ports/AuditLog.js"
import { Clock } from "../ports/Clock.js"
import { type CouponChanges, CouponRepository } from "../ports/CouponRepository.js"
import { IdGenerator } from "../ports/IdGenerator.js"
import { recordAudit } from "./audit.js"
import { decodeInput } from "./decodeInput.js"
import { readPage } from "./readPage.js"
import { updateVersioned } from "./versionedUpdate.js"

export type CouponAdminServices = CouponRepository | AuditLog | IdGenerator | Clock

/** What the audit log keeps of a coupon: holds are left out, they name orders and change by the second. */
export const couponSnapshot = (coupon: CouponSummary) => ({
  id: coupon.id,
  code: coupon.code,
  discount: coupon.discount,
  maxRedemptions: coupon.maxRedemptions,
  available: coupon.available,
  reservedCount: coupon.reservedCount,
  redeemedCount: coupon.redeemedCount,
  expiresAt: coupon.expiresAt,
  active: coupon.active,
  version: coupon.version,
})

const actorOf = (actor: string) => Effect.map(decodeInput(ActorField)({ actor }), (field) => field.actor)

const couponIdOf = (id: string) => Effect.map(decodeInput(CouponRef)({ id }), (ref) => ref.id)

const load = (id: CouponId): Effect.Effect<CouponSummary, CouponNotFound | StoreError, CouponRepository> =>
  Effect.flatMap(CouponRepository, (coupons) => coupons.findSummary(id)).pipe(
    Effect.flatMap(Option.match({ onNone: () => new CouponNotFound({ id }), onSome: Effect.succeed })),
  )

/**
 * An expiry at or before now is almost always a typo (year, time zone); it would also leave a coupon
 * that looks live but never applies. Ending a coupon now is `deactivateCoupon`.
 */
const refusePastExpiry = (expiresAt: Date | null | undefined, now: Date) =>
  expiresAt != null && expiresAt.getTime() <= now.getTime()
    ? Effect.fail(new InputRefused({ field: "expiresAt", message: "expiresAt must be in the future" }))
    : Effect.void

/** All coupons, by code. */
export const listCoupons = (): Effect.Effect<ReadonlyArray<Coupon>, StoreError, CouponRepository> =>
  Effect.flatMap(CouponRepository, (coupons) => coupons.list())

/**
 * One page of coupons by code (`limit` 1..100, default 50); `nextCursor` goes on from its last one.
 * A bad limit or malformed cursor is InvalidInput naming the field; a well-formed cursor this
 * listing did not issue is UnknownCursor (the reference server answers 422 UNKNOWN_CURSOR). The reference server's route:
 * `Effect.flatMap(decodeInput(PageQuery)(ctx.query), listCouponsPage)`, answered with
 * `pageAnswer("coupons", page, couponView)` (PageQuery and pageAnswer: packages/server/src/http/pagination.ts).
 */
export const listCouponsPage = (
  request: PageRequest,
): Effect.Effect<Page<CouponSummary>, InvalidInput | UnknownCursor | StoreError, CouponRepository> =>
  Effect.flatMap(CouponRepository, (coupons) =>
    readPage(
      request,
      CouponCode,
      (after, limit) => coupons.listPage({ after, limit }),
      (coupon) => coupon.code,
    ),
  )

export const getCoupon = (
  id: string,
): Effect.Effect<CouponSummary, InvalidInput | CouponNotFound | StoreError, CouponRepository> =>
  Effect.flatMap(couponIdOf(id), load)

/**
 * Create a coupon with all of its `maxRedemptions` available; a code already in use is a DuplicateKey.
 *
 * The capacity counters (available, reservedCount, redeemedCount) are never admin input, here or in
 * `updateCoupon`: they must sum to maxRedemptions and reservedCount must equal the holds, and only the
 * hold/redeem/release writes keep that true, each moving counters and holds in one atomic update. An
 * admin "set available to 5" would race every checkout in flight and break I3; drift is the repair
 * job's to fix, from the holds.
 */
export const createCoupon = (
  input: unknown,
  actor: string,
): Effect.Effect<Coupon, InvalidInput | InputRefused | DuplicateKey | StoreError, CouponAdminServices> =>
  Effect.gen(function* () {
    const by = yield* actorOf(actor)
    const request = yield* decodeInput(CreateCouponInput)(input)
    const now = yield* (yield* Clock).now
    yield* refusePastExpiry(request.expiresAt, now)
    const coupon: Coupon = {
      id: CouponId.make(yield* (yield* IdGenerator).next("cpn")),
      code: request.code,
      discount: request.discount,
      maxRedemptions: request.maxRedemptions,
      available: request.maxRedemptions,
      reservedCount: 0,
      redeemedCount: 0,
      holds: [],
      expiresAt: request.expiresAt ?? null,
      active: request.active ?? true,
      createdAt: now,
      updatedAt: now,
      version: 0,
    }
    // The unique code index decides, not a read beforehand: two admins creating one code race otherwise.
    yield* (yield* CouponRepository).insert(coupon)
    yield* recordAudit({
      actor: by,
      action: "coupon.create",
      orderId: null,
      reason: null,
      before: null,
      after: couponSnapshot(coupon),
    })
    return coupon
  })

const sameInstant = (a: Date | null, b: Date | null): boolean =>
  a === null || b === null ? a === b : a.getTime() === b.getTime()

/** The fields of `request` that differ from `current`; null when the coupon already is as asked. */
const changesTo = (current: CouponSummary, request: UpdateCouponInput): CouponChanges | null => {
  const changes: { active?: boolean; expiresAt?: Date | null } = {}
  if (request.active !== undefined && request.active !== current.active) changes.active = request.active
  if (request.expiresAt !== undefined && !sameInstant(request.expiresAt, current.expiresAt))
    changes.expiresAt = request.expiresAt
  return Object.keys(changes).length === 0 ? null : changes
}

export type CouponUpdateError =
  | InvalidInput
  | InputRefused
  | CouponNotFound
  | VersionConflict
  | WriteConflict
  | StoreError

const applyUpdate = (
  id: CouponId,
  actor: string,
  action: string,
  expectedVersion: number | undefined,
  plan: (current: CouponSummary) => CouponChanges | null,
): Effect.Effect<CouponSummary, CouponUpdateError, CouponAdminServices> =>
  Effect.gen(function* () {
    const coupons = yield* CouponRepository
    const now = yield* (yield* Clock).now
    const outcome = yield* updateVersioned({
      entity: "coupons",
      id,
      load: load(id),
      expectedVersion,
      plan,
      write: (version, changes) => coupons.update(id, version, changes, now),
    })
    // Asking for what already is changes nothing, so there is nothing to audit.
    if (outcome.changed) {
      yield* recordAudit({
        actor,
        action,
        orderId: null,
        reason: null,
        before: couponSnapshot(outcome.before),
        after: couponSnapshot(outcome.after),
      })
    }
    return outcome.after
  })

/**
 * (De)activate a coupon or move its expiry (`expiresAt: null` removes it). Reservations already held
 * stay valid until their own expiry: the customers holding them were promised the discount.
 */
export const updateCoupon = (
  id: string,
  input: unknown,
  actor: string,
): Effect.Effect<CouponSummary, CouponUpdateError, CouponAdminServices> =>
  Effect.gen(function* () {
    const by = yield* actorOf(actor)
    const couponId = yield* couponIdOf(id)
    const request = yield* decodeInput(UpdateCouponInput)(input)
    yield* refusePastExpiry(request.expiresAt, yield* (yield* Clock).now)
    return yield* applyUpdate(couponId, by, "coupon.update", request.expectedVersion, (current) =>
      changesTo(current, request),
    )
  })

/** Stop new checkouts from using the coupon; deactivating an inactive coupon is a no-op. */
export const deactivateCoupon = (
  id: string,
  actor: string,
): Effect.Effect<CouponSummary, CouponUpdateError, CouponAdminServices> =>
  Effect.gen(function* () {
    const by = yield* actorOf(actor)
    const couponId = yield* couponIdOf(id)
    return yield* applyUpdate(couponId, by, "coupon.deactivate", undefined, (current) =>
      current.active ? { active: false } : null,
    )
  })
