import type { AuditLog } from "./AuditLog.js"
import type { CouponRepository } from "./CouponRepository.js"
import type { CouponReservationRepository } from "./CouponReservationRepository.js"
import type { IdempotencyKeys } from "./IdempotencyKeys.js"
import type { InvoiceModeSetting } from "./InvoiceModeSetting.js"
import type { JobLeases } from "./JobLeases.js"
import type { Ledger } from "./Ledger.js"
import type { MediaAssetRepository } from "./MediaAssetRepository.js"
import type { OrderRepository } from "./OrderRepository.js"
import type { ProductCatalog } from "./ProductCatalog.js"
import type { WebhookEventInbox } from "./WebhookEventInbox.js"

/** Every port a database provides: what a storage adapter set (memory, Mongo) must supply together. */
export type StoragePorts =
  | OrderRepository
  | ProductCatalog
  | CouponRepository
  | CouponReservationRepository
  | WebhookEventInbox
  | Ledger
  | AuditLog
  | MediaAssetRepository
  | JobLeases
  | InvoiceModeSetting
  | IdempotencyKeys
