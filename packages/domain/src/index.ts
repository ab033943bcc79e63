/**
 * The public surface of @settle/domain, named one by one: helpers the use-cases share among
 * themselves (refund planning, versioned updates, revival) stay internal.
 */
// Expected failures: tagged errors in the error channel, no HTTP status on them.
export {
  AlreadyFinalized,
  AmountTooLarge,
  CapacityGone,
  CouponNotFound,
  CouponUnavailable,
  CurrencyMismatch,
  DuplicateKey,
  EventNotFound,
  type GatewayFailure,
  IllegalTransition,
  InputRefused,
  InsufficientStock,
  InvalidInput,
  InvoiceProviderError,
  MediaStorageError,
  MediaTooLarge,
  MediaTypeUnsupported,
  OrderNotFound,
  PaymentGatewayError,
  PaymentRefused,
  ProductNotFound,
  RefundExceedsCaptured,
  RequestIdReused,
  StoreError,
  type TransientError,
  UnknownCoupon,
  UnknownSku,
  VersionConflict,
  WebhookSignatureInvalid,
  WriteConflict,
} from "./errors.js"

// The domain model: Schemas for every record and input, and the order state machine.
export { Actor, AuditRecord } from "./model/AuditRecord.js"
export { CartLine, CheckoutRequest } from "./model/CheckoutRequest.js"
export {
  AmountDiscount,
  Coupon,
  CouponSummary,
  CouponTerms,
  Discount,
  MaxRedemptions,
  PercentDiscount,
} from "./model/Coupon.js"
export { CreateCouponInput, UpdateCouponInput } from "./model/CouponInput.js"
export { CouponReservation, CouponReservationStatus } from "./model/CouponReservation.js"
export { CommitOutcome, Hold, HoldOutcome, ReleaseOutcome } from "./model/Hold.js"
export { holdsKey, IdempotencyRecord, StoredAnswer } from "./model/IdempotencyKey.js"
export {
  CouponCode,
  CouponId,
  Email,
  OrderId,
  PaymentIntentId,
  ProductId,
  RefundId,
  SessionId,
  Sku,
  StripeEventId,
} from "./model/Ids.js"
export { InvoiceModeChange, InvoiceModeName } from "./model/InvoiceModeChange.js"
export { JobLease, JobRun, mayTake } from "./model/JobLease.js"
export { LedgerEntry, LedgerKind } from "./model/LedgerEntry.js"
export { MediaAsset } from "./model/MediaAsset.js"
export { Currency, MAX_AMOUNT, MinorUnits, Money, money } from "./model/Money.js"
export {
  Invoice,
  InvoiceStatus,
  Order,
  OrderItem,
  Payment,
  Quantity,
  Refund,
  Totals,
  Webhook,
} from "./model/Order.js"
export { isFinalized, OrderAction, OrderStatus, sourcesOf, transition } from "./model/OrderStatus.js"
export {
  CURSOR_MESSAGE,
  CURSOR_PATTERN,
  DEFAULT_PAGE,
  MAX_PAGE,
  type Page,
  PageLimit,
  type PageRequest,
  pageCursor,
  pageOf,
  positionOf,
  UnknownCursor,
} from "./model/Page.js"
export {
  ChargeRefunded,
  PaymentEvent,
  PaymentFailed,
  PaymentPending,
  PaymentSucceeded,
  SessionExpired,
  Unrecognized,
} from "./model/PaymentEvent.js"
export { Product, ProductListing, ProductName, ProductSummary, Stock } from "./model/Product.js"
export {
  AddStockInput,
  CreateProductInput,
  MAX_STOCK_UNITS,
  UpdateProductInput,
} from "./model/ProductInput.js"
export { type ReceiveOutcome, WebhookEvent, WebhookEventStatus } from "./model/WebhookEvent.js"

// Ports: one Context.Tag per file; an adapter is a Layer that provides it.
export { AuditLog } from "./ports/AuditLog.js"
export { Clock } from "./ports/Clock.js"
export { type CouponChanges, type CouponPageQuery, CouponRepository } from "./ports/CouponRepository.js"
export { CouponReservationRepository } from "./ports/CouponReservationRepository.js"
export {
  type ClaimOutcome,
  claimedRecord,
  type IdempotencyClaim,
  IdempotencyKeys,
} from "./ports/IdempotencyKeys.js"
export { IdGenerator } from "./ports/IdGenerator.js"
export { InvoiceModeSetting } from "./ports/InvoiceModeSetting.js"
export { type InvoiceMode, type InvoiceOutcome, InvoiceProvider } from "./ports/InvoiceProvider.js"
export { JobLeases } from "./ports/JobLeases.js"
export { Ledger } from "./ports/Ledger.js"
export { MediaAssetRepository } from "./ports/MediaAssetRepository.js"
export { MediaStorage, type MediaUpload, type StoredMedia } from "./ports/MediaStorage.js"
export { Metrics, type WebhookMetricStatus } from "./ports/Metrics.js"
export {
  type ExpectedPayment,
  type OrderCursor,
  type OrderHealth,
  type OrderListQuery,
  type OrderPatch,
  OrderRepository,
} from "./ports/OrderRepository.js"
export {
  type OpenedSession,
  PaymentGateway,
  type RefundRequest,
  type SessionRequest,
  type SessionState,
} from "./ports/PaymentGateway.js"
export { ProductCatalog, type ProductChanges, type ProductPageQuery } from "./ports/ProductCatalog.js"
export type { StoragePorts } from "./ports/StoragePorts.js"
export { WebhookEventInbox } from "./ports/WebhookEventInbox.js"

// Use-cases: Effect programs over the ports.
export {
  type AcceptReviewError,
  type AcceptReviewOutcome,
  type AcceptReviewServices,
  acceptReviewedPayment,
} from "./usecases/acceptReviewedPayment.js"
export { addInternalNote, InternalNoteRequest } from "./usecases/addInternalNote.js"
export { type AuditEntry, recordAudit } from "./usecases/audit.js"
export { type CheckoutResult, createCheckout, DEFAULT_RESERVATION_TTL_MS } from "./usecases/createCheckout.js"
export { capQuoted, decodeInput, MAX_QUOTED_CHARS } from "./usecases/decodeInput.js"
export { type ExpiryReport, expireReservations } from "./usecases/expireReservations.js"
export { type FinalizeOutcome, finalizePayment, type VerifiedPayment } from "./usecases/finalizePayment.js"
export {
  type EventOptions,
  type EventOutcome,
  handlePaymentEvent,
  recordUndecodableEvent,
} from "./usecases/handlePaymentEvent.js"
export {
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_LEASE_MS,
  IdempotencyKeyInUse,
  IdempotencyKeyReused,
  type IdempotencyOptions,
  type IdempotentOutcome,
  type IdempotentRequest,
  idempotentRequest,
} from "./usecases/idempotentRequest.js"
export {
  InvoiceModeRequest,
  type InvoiceModeSwitched,
  switchInvoiceMode,
  withInvoiceModes,
} from "./usecases/invoiceMode.js"
export {
  type InvoiceJobOptions,
  type InvoiceJobServices,
  type InvoiceJobSummary,
  type InvoiceResult,
  InvoiceRetryRequest,
  issueInvoices,
  retryInvoice,
} from "./usecases/issueInvoices.js"
export {
  type CouponAdminServices,
  type CouponUpdateError,
  createCoupon,
  deactivateCoupon,
  getCoupon,
  listCoupons,
  listCouponsPage,
  updateCoupon,
} from "./usecases/manageCoupons.js"
export {
  addProductStock,
  archiveProduct,
  createProduct,
  getProduct,
  listProducts,
  listProductsPage,
  type ProductAdminServices,
  type ProductUpdateError,
  updateProduct,
} from "./usecases/manageProducts.js"
export { discountOf } from "./usecases/pricing.js"
export { readPage } from "./usecases/readPage.js"
export { DEFAULT_STALE_AFTER_MS, type ReconcileReport, reconcileOrders } from "./usecases/reconcileOrders.js"
export {
  type ProviderRefundServices,
  type RefundError,
  type RefundServices,
  recordProviderRefund,
  refundOrder,
} from "./usecases/refundOrder.js"
export { AdminRefundRequest, RefundRequestId, unfinishedRefund } from "./usecases/refundPlan.js"
export {
  type RefundReviewError,
  type RefundReviewOutcome,
  type RefundReviewServices,
  refundReviewedPayment,
} from "./usecases/refundReviewedPayment.js"
export { releaseHolds } from "./usecases/releaseOrder.js"
export {
  type CounterDrift,
  DEFAULT_REPAIR_GRACE_MS,
  type RecordDrift,
  type RepairReport,
  repairReservations,
} from "./usecases/repairReservations.js"
export { ReplayRequest, replayFinalization } from "./usecases/replayFinalization.js"
export {
  ReviewResolutionRequest,
  type ReviewStanding,
  reviewRefundId,
  reviewStanding,
} from "./usecases/reviewResolution.js"
export {
  ACCEPTED_IMAGE_TYPES,
  type AcceptedImageType,
  type MediaUploadError,
  type MediaUploadRequest,
  type MediaUploadServices,
  sniffImageType,
  uploadMedia,
} from "./usecases/uploadMedia.js"
