import type { StoragePorts } from "@settle/domain"
import { Layer } from "effect"
import * as MemoryAuditLog from "./MemoryAuditLog.js"
import * as MemoryCouponRepository from "./MemoryCouponRepository.js"
import * as MemoryCouponReservationRepository from "./MemoryCouponReservationRepository.js"
import * as MemoryIdempotencyKeys from "./MemoryIdempotencyKeys.js"
import * as MemoryInvoiceModeSetting from "./MemoryInvoiceModeSetting.js"
import * as MemoryJobLeases from "./MemoryJobLeases.js"
import * as MemoryLedger from "./MemoryLedger.js"
import * as MemoryMediaAssetRepository from "./MemoryMediaAssetRepository.js"
import * as MemoryOrderRepository from "./MemoryOrderRepository.js"
import * as MemoryProductCatalog from "./MemoryProductCatalog.js"
import * as MemoryWebhookEventInbox from "./MemoryWebhookEventInbox.js"

/** Every storage port in memory: a fresh, empty database each time the layer is built. */
export const layer: Layer.Layer<StoragePorts> = Layer.mergeAll(
  MemoryOrderRepository.layer,
  MemoryProductCatalog.layer,
  MemoryCouponRepository.layer,
  MemoryCouponReservationRepository.layer,
  MemoryWebhookEventInbox.layer,
  MemoryLedger.layer,
  MemoryAuditLog.layer,
  MemoryMediaAssetRepository.layer,
  MemoryJobLeases.layer,
  MemoryInvoiceModeSetting.layer,
  MemoryIdempotencyKeys.layer,
)
