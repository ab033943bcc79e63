import type { StoragePorts } from "@settle/domain"
import { Layer } from "effect"
import * as MongoAuditLog from "./MongoAuditLog.js"
import * as MongoCouponRepository from "./MongoCouponRepository.js"
import * as MongoCouponReservationRepository from "./MongoCouponReservationRepository.js"
import type { MongoDatabase } from "./MongoDatabase.js"
import * as MongoIdempotencyKeys from "./MongoIdempotencyKeys.js"
import * as MongoInvoiceModeSetting from "./MongoInvoiceModeSetting.js"
import * as MongoJobLeases from "./MongoJobLeases.js"
import * as MongoLedger from "./MongoLedger.js"
import * as MongoMediaAssetRepository from "./MongoMediaAssetRepository.js"
import * as MongoOrderRepository from "./MongoOrderRepository.js"
import * as MongoProductCatalog from "./MongoProductCatalog.js"
import * as MongoWebhookEventInbox from "./MongoWebhookEventInbox.js"

export type { StoragePorts }

/** All Mongo storage adapters over one connected database (MongoDatabase.layer). */
export const layer: Layer.Layer<StoragePorts, never, MongoDatabase> = Layer.mergeAll(
  MongoOrderRepository.layer,
  MongoProductCatalog.layer,
  MongoCouponRepository.layer,
  MongoCouponReservationRepository.layer,
  MongoWebhookEventInbox.layer,
  MongoLedger.layer,
  MongoAuditLog.layer,
  MongoMediaAssetRepository.layer,
  MongoJobLeases.layer,
  MongoInvoiceModeSetting.layer,
  MongoIdempotencyKeys.layer,
)
