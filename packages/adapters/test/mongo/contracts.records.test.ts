import { AuditLogSuite, LedgerSuite, MediaAssetRepositorySuite } from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoAuditLog from "../../src/mongo/MongoAuditLog.js"
import * as MongoLedger from "../../src/mongo/MongoLedger.js"
import * as MongoMediaAssetRepository from "../../src/mongo/MongoMediaAssetRepository.js"
import { freshDatabase } from "../support/mongoStorage.js"

// The append-only records: payments and refunds, the admin trail, uploaded media.
LedgerSuite.suite("MongoLedger", MongoLedger.layer.pipe(Layer.provide(freshDatabase)))
AuditLogSuite.suite("MongoAuditLog", MongoAuditLog.layer.pipe(Layer.provide(freshDatabase)))
MediaAssetRepositorySuite.suite(
  "MongoMediaAssetRepository",
  MongoMediaAssetRepository.layer.pipe(Layer.provide(freshDatabase)),
)
