/**
 * The in-memory stores: MongoDB's semantics (single-document atomic conditional writes, unique
 * indexes, no transactions) in one process. The embedded default runs on them; tests use them too.
 */
export * as MemoryAuditLog from "./MemoryAuditLog.js"
export * as MemoryCouponRepository from "./MemoryCouponRepository.js"
export * as MemoryCouponReservationRepository from "./MemoryCouponReservationRepository.js"
export * as MemoryIdempotencyKeys from "./MemoryIdempotencyKeys.js"
export * as MemoryInvoiceModeSetting from "./MemoryInvoiceModeSetting.js"
export * as MemoryJobLeases from "./MemoryJobLeases.js"
export * as MemoryLedger from "./MemoryLedger.js"
export * as MemoryMediaAssetRepository from "./MemoryMediaAssetRepository.js"
export * as MemoryOrderRepository from "./MemoryOrderRepository.js"
export * as MemoryProductCatalog from "./MemoryProductCatalog.js"
export * as MemoryStorage from "./MemoryStorage.js"
export { layer as memoryStorage } from "./MemoryStorage.js"
export * as MemoryWebhookEventInbox from "./MemoryWebhookEventInbox.js"
