/** Capacity spread over buckets with their own holds, for the Mongo adapters of hot owners (issue 13). */

export { bucketedCouponRepository, REDEMPTIONS } from "./bucketedCouponRepository.js"
export { bucketedProductCatalog, STOCK } from "./bucketedProductCatalog.js"
export { bucketOf } from "./bucketOf.js"
export { type CapacityBuckets, make } from "./CapacityBuckets.js"
export type { CapacityLayout } from "./CapacityLayout.js"
export { BUCKET_COUNTERS, type CapacityCounters } from "./counters.js"
export { BUCKET_INDEXES } from "./indexes.js"
export type { CompletedTransfer } from "./repair.js"
export type { Settlement } from "./settle.js"
export type { CapacityTotals } from "./totals.js"
