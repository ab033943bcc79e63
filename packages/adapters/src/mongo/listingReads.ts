import { CouponTerms, ProductListing } from "@settle/domain"
import type { FindOptions } from "mongodb"

/** Read only a schema's fields of a stored document; `id` is its `_id`, which a projection keeps. */
const only = (fields: Readonly<Record<string, unknown>>): FindOptions => ({
  projection: Object.fromEntries(
    Object.keys(fields)
      .filter((field) => field !== "id")
      .map((field) => [field, 1]),
  ),
})

/**
 * The checkout's reads (issue 13) leave the holds and the counters on the server: the hold decides
 * capacity, and for an owner with places the counters are the owner's and its places' summed. Naming
 * the fields read, rather than those left, also leaves an owner's record of its places behind.
 */
export const PRODUCT_LISTING = only(ProductListing.fields)
export const COUPON_TERMS = only(CouponTerms.fields)

/**
 * The admin's reads of a coupon or product (issue 13): everything but the holds, which stay on the
 * server. The owner's record of its places stays in, to sum the places' counters with.
 */
export const WITHOUT_HOLDS = { projection: { holds: 0 } } satisfies FindOptions
