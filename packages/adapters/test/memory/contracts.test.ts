import {
  AuditLogSuite,
  CouponRepositorySuite,
  CouponReservationRepositorySuite,
  LedgerSuite,
  MediaAssetRepositorySuite,
  OrderRepositorySuite,
  ProductCatalogSuite,
  WebhookEventInboxSuite,
} from "@settle/testkit/suites"
import {
  MemoryAuditLog,
  MemoryCouponRepository,
  MemoryCouponReservationRepository,
  MemoryLedger,
  MemoryMediaAssetRepository,
  MemoryOrderRepository,
  MemoryProductCatalog,
  MemoryWebhookEventInbox,
} from "../../src/memory/index.js"

OrderRepositorySuite.suite("MemoryOrderRepository", MemoryOrderRepository.layer)
ProductCatalogSuite.suite("MemoryProductCatalog", MemoryProductCatalog.layer)
CouponRepositorySuite.suite("MemoryCouponRepository", MemoryCouponRepository.layer)
CouponReservationRepositorySuite.suite(
  "MemoryCouponReservationRepository",
  MemoryCouponReservationRepository.layer,
)
WebhookEventInboxSuite.suite("MemoryWebhookEventInbox", MemoryWebhookEventInbox.layer)
LedgerSuite.suite("MemoryLedger", MemoryLedger.layer)
AuditLogSuite.suite("MemoryAuditLog", MemoryAuditLog.layer)
MediaAssetRepositorySuite.suite("MemoryMediaAssetRepository", MemoryMediaAssetRepository.layer)
