/**
 * One contract suite per port: `suite(name, layer)` registers vitest tests that any adapter of that
 * port must pass. Run them on your own adapter exactly as Settle runs them on its memory and Mongo ones.
 */
export * as AuditLogSuite from "./AuditLogSuite.js"
export * as ClockSuite from "./ClockSuite.js"
export * as CouponRepositorySuite from "./CouponRepositorySuite.js"
export * as CouponReservationRepositorySuite from "./CouponReservationRepositorySuite.js"
export * as IdempotencyKeysSuite from "./IdempotencyKeysSuite.js"
export * as IdGeneratorSuite from "./IdGeneratorSuite.js"
export * as InvoiceModeSettingSuite from "./InvoiceModeSettingSuite.js"
export * as InvoiceProviderSuite from "./InvoiceProviderSuite.js"
export * as JobLeasesSuite from "./JobLeasesSuite.js"
export * as LedgerSuite from "./LedgerSuite.js"
export * as MediaAssetRepositorySuite from "./MediaAssetRepositorySuite.js"
export * as MediaStorageSuite from "./MediaStorageSuite.js"
export * as MetricsSuite from "./MetricsSuite.js"
export * as OrderRepositorySuite from "./OrderRepositorySuite.js"
export * as PaymentGatewaySuite from "./PaymentGatewaySuite.js"
export * as ProductCatalogSuite from "./ProductCatalogSuite.js"
export { failureTag, runInLayer } from "./runInLayer.js"
export type { ServerRaceOptions } from "./ServerRaces.js"
export * as WebhookEventInboxSuite from "./WebhookEventInboxSuite.js"
