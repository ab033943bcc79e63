import * as MemoryAuditLog from "../../src/memory/MemoryAuditLog.js"
import * as MemoryCouponRepository from "../../src/memory/MemoryCouponRepository.js"
import * as MemoryCouponReservationRepository from "../../src/memory/MemoryCouponReservationRepository.js"
import * as MemoryLedger from "../../src/memory/MemoryLedger.js"
import * as MemoryMediaAssetRepository from "../../src/memory/MemoryMediaAssetRepository.js"
import * as MemoryOrderRepository from "../../src/memory/MemoryOrderRepository.js"
import * as MemoryProductCatalog from "../../src/memory/MemoryProductCatalog.js"
import * as MemoryWebhookEventInbox from "../../src/memory/MemoryWebhookEventInbox.js"
import * as AuditLogSuite from "../../src/suites/AuditLogSuite.js"
import * as CouponRepositorySuite from "../../src/suites/CouponRepositorySuite.js"
import * as CouponReservationRepositorySuite from "../../src/suites/CouponReservationRepositorySuite.js"
import * as LedgerSuite from "../../src/suites/LedgerSuite.js"
import * as MediaAssetRepositorySuite from "../../src/suites/MediaAssetRepositorySuite.js"
import * as OrderRepositorySuite from "../../src/suites/OrderRepositorySuite.js"
import * as ProductCatalogSuite from "../../src/suites/ProductCatalogSuite.js"
import * as WebhookEventInboxSuite from "../../src/suites/WebhookEventInboxSuite.js"

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
