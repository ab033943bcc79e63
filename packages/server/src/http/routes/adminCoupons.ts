import {
  CouponId,
  CreateCouponInput,
  createCoupon,
  deactivateCoupon,
  decodeInput,
  getCoupon,
  listCouponsPage,
  UpdateCouponInput,
  updateCoupon,
} from "@settle/domain"
import { Effect, Schema } from "effect"
import { inputRefused } from "../contract/commonErrors.js"
import { defineRoute } from "../contract/route.js"
import { PageQuery, pageAnswer } from "../pagination.js"
import { respond } from "../respond.js"
import { safeCount } from "../schemas/common.js"
import { CouponAnswer, CouponPage } from "../schemas/coupons.js"
import { couponView } from "../views.js"
import { actorOf } from "./adminGuard.js"
import { DUPLICATE_KEY, INVALID_PARAMETER, LIST_ERRORS, VERSION_CONFLICT } from "./adminRefusals.js"

/** Coupon administration; capacity counters are never input, only maxRedemptions at creation. */

const one = (coupon: Parameters<typeof couponView>[0]) => ({ coupon: couponView(coupon) })

/**
 * `expiresAt` as JSON carries it. The use-cases' schemas also take a Date from an embedding caller,
 * which has no JSON Schema; the bodies are documented with the string form, all else as decoded.
 */
const ExpiresAt = Schema.optional(
  Schema.NullOr(
    Schema.String.annotations({
      jsonSchema: { type: "string", format: "date-time" },
      description: "A date-time with its zone, or a date; null removes the expiry",
    }),
  ),
)
const CreateCouponBody = Schema.Struct({ ...CreateCouponInput.fields, expiresAt: ExpiresAt })
const UpdateCouponBody = Schema.Struct({
  ...UpdateCouponInput.fields,
  expiresAt: ExpiresAt,
  expectedVersion: Schema.optional(UpdateCouponInput.fields.expectedVersion.from.annotations(safeCount)),
})

const path = "/api/v1/admin/coupons"
const tags = ["admin: catalog"]
const params = Schema.Struct({ id: CouponId })
const NOT_FOUND = { description: "No coupon with this id", codes: ["COUPON_NOT_FOUND"] }

export const listCouponsRoute = defineRoute({
  method: "get",
  path,
  operationId: "adminListCoupons",
  summary: "List coupons by code, a page at a time",
  tags,
  auth: "admin",
  request: { query: PageQuery },
  responses: {
    200: { description: "One page; pass `nextCursor` back as `cursor` for the next", schema: CouponPage },
  },
  errors: LIST_ERRORS,
  handler: (ctx, deps) => {
    const page = Effect.flatMap(decodeInput(PageQuery)(ctx.query), listCouponsPage)
    return respond(ctx, deps.runtime, page, 200, (found) => pageAnswer("coupons", found, couponView))
  },
})

export const createCouponRoute = defineRoute({
  method: "post",
  path,
  operationId: "adminCreateCoupon",
  summary: "Create a coupon with all of its maxRedemptions available",
  tags,
  auth: "admin",
  idempotent: true,
  request: { body: { kind: "json", schema: CreateCouponBody } },
  responses: {
    201: {
      description: "The coupon",
      schema: CouponAnswer,
      headers: { Location: { description: "The coupon's URL" } },
    },
  },
  errors: {
    409: { ...DUPLICATE_KEY, description: "A coupon with this code already exists" },
    422: inputRefused("`expiresAt` is not in the future"),
  },
  handler: (ctx, deps, { body }) =>
    respond(ctx, deps.runtime, createCoupon(body, actorOf(ctx.state)), 201, (coupon) => {
      ctx.set("Location", `${path}/${coupon.id}`)
      return one(coupon)
    }),
})

export const getCouponRoute = defineRoute({
  method: "get",
  path: `${path}/{id}`,
  operationId: "adminGetCoupon",
  summary: "Read a coupon with its capacity counters",
  tags,
  auth: "admin",
  request: { params },
  responses: { 200: { description: "The coupon", schema: CouponAnswer } },
  errors: { 400: INVALID_PARAMETER, 404: NOT_FOUND },
  handler: (ctx, deps) => respond(ctx, deps.runtime, getCoupon(ctx.params.id ?? ""), 200, one),
})

export const updateCouponRoute = defineRoute({
  method: "patch",
  path: `${path}/{id}`,
  operationId: "adminUpdateCoupon",
  summary: "Change a coupon's active flag or expiry",
  tags,
  auth: "admin",
  idempotent: true,
  request: { params, body: { kind: "json", schema: UpdateCouponBody } },
  responses: { 200: { description: "The coupon after the change", schema: CouponAnswer } },
  errors: { 404: NOT_FOUND, 409: VERSION_CONFLICT, 422: inputRefused("`expiresAt` is not in the future") },
  handler: (ctx, deps, { body }) =>
    respond(ctx, deps.runtime, updateCoupon(ctx.params.id ?? "", body, actorOf(ctx.state)), 200, one),
})

// Coupons are deactivated, never deleted: reservations and orders point at them.
export const deactivateCouponRoute = defineRoute({
  method: "delete",
  path: `${path}/{id}`,
  operationId: "adminDeactivateCoupon",
  summary: "Deactivate a coupon (`active: false`); orders keep referring to it",
  tags,
  auth: "admin",
  idempotent: true,
  request: { params },
  responses: { 200: { description: "The deactivated coupon", schema: CouponAnswer } },
  errors: { 400: INVALID_PARAMETER, 404: NOT_FOUND, 409: VERSION_CONFLICT },
  handler: (ctx, deps) =>
    respond(ctx, deps.runtime, deactivateCoupon(ctx.params.id ?? "", actorOf(ctx.state)), 200, one),
})

export const adminCouponRoutes = [
  listCouponsRoute,
  createCouponRoute,
  getCouponRoute,
  updateCouponRoute,
  deactivateCouponRoute,
]
