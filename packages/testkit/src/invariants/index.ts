/**
 * The invariants I1–I8 of DESIGN §6 as fast-check property suites over a storage layer:
 * `suite(name, storage)` registers them with vitest. `SETTLE_PROPERTY_RUNS` sets the runs.
 */
export * as BadInput from "./BadInput.js"
export * as I1ExactlyOnceFinalization from "./I1ExactlyOnceFinalization.js"
export * as I2AmountVerification from "./I2AmountVerification.js"
export * as I3CouponCapacity from "./I3CouponCapacity.js"
export * as I4ReservationExpiry from "./I4ReservationExpiry.js"
export * as I5StockConservation from "./I5StockConservation.js"
export * as I6RefundBounds from "./I6RefundBounds.js"
export * as I7InvoiceOnce from "./I7InvoiceOnce.js"
export * as I8AuditTrail from "./I8AuditTrail.js"
export * as I9IdempotentCheckout from "./I9IdempotentCheckout.js"
export { type PropertyOptions, propertyRuns } from "./propertyRuns.js"
