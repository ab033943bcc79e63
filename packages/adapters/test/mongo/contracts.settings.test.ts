import { SandboxInvoiceProvider } from "@settle/adapters"
import { InvoiceModeSetting, InvoiceProvider, withInvoiceModes } from "@settle/domain"
import { InvoiceModeSettingSuite, InvoiceProviderSuite } from "@settle/testkit/suites"
import { Effect, Layer } from "effect"
import * as MongoInvoiceModeSetting from "../../src/mongo/MongoInvoiceModeSetting.js"
import { freshDatabase } from "../support/mongoStorage.js"

const setting = MongoInvoiceModeSetting.layer.pipe(Layer.provide(freshDatabase))

InvoiceModeSettingSuite.suite("MongoInvoiceModeSetting", setting)

// The invoice mode as the server runs it: switched in the store, read back on every issue.
InvoiceProviderSuite.suite(
  "withInvoiceModes over MongoInvoiceModeSetting",
  Layer.effect(
    InvoiceProvider,
    Effect.flatMap(InvoiceProvider, (issuer) => withInvoiceModes(issuer, "stripe")),
  ).pipe(Layer.provide(SandboxInvoiceProvider.layer()), Layer.provideMerge(setting)),
  {
    setMode: (mode) =>
      Effect.flatMap(InvoiceModeSetting, (current) =>
        current.record({ mode, actor: "ops@example.com", reason: "contract", at: new Date() }),
      ).pipe(Effect.orDie),
  },
)
