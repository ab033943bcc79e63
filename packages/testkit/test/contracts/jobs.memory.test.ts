import { InvoiceModeSetting, InvoiceProvider, withInvoiceModes } from "@settle/domain"
import { Effect, Layer } from "effect"
import * as MemoryInvoiceProvider from "../../src/fakes/MemoryInvoiceProvider.js"
import * as MemoryInvoiceModeSetting from "../../src/memory/MemoryInvoiceModeSetting.js"
import * as MemoryJobLeases from "../../src/memory/MemoryJobLeases.js"
import * as InvoiceModeSettingSuite from "../../src/suites/InvoiceModeSettingSuite.js"
import * as InvoiceProviderSuite from "../../src/suites/InvoiceProviderSuite.js"
import * as JobLeasesSuite from "../../src/suites/JobLeasesSuite.js"

JobLeasesSuite.suite("MemoryJobLeases", MemoryJobLeases.layer)
InvoiceModeSettingSuite.suite("MemoryInvoiceModeSetting", MemoryInvoiceModeSetting.layer)

// The mode operators switch to, read from the store, around an issuer that only issues: the provider
// contract's mode cases switch it the way the admin route does, by recording a change.
const modal = Layer.effect(
  InvoiceProvider,
  Effect.flatMap(InvoiceProvider, (issuer) => withInvoiceModes(issuer, "stripe")),
).pipe(Layer.provide(MemoryInvoiceProvider.layer()), Layer.provideMerge(MemoryInvoiceModeSetting.layer))

InvoiceProviderSuite.suite("withInvoiceModes over MemoryInvoiceProvider", modal, {
  setMode: (mode) =>
    Effect.flatMap(InvoiceModeSetting, (setting) =>
      setting.record({ mode, actor: "ops@example.com", reason: "contract", at: new Date() }),
    ).pipe(Effect.orDie),
})
