import { InvoiceModeSetting, InvoiceProvider, withInvoiceModes } from "@settle/domain"
import { InvoiceModeSettingSuite, InvoiceProviderSuite, JobLeasesSuite } from "@settle/testkit/suites"
import { Effect, Layer } from "effect"
import { MemoryInvoiceModeSetting, MemoryJobLeases } from "../../src/memory/index.js"
import { SandboxInvoiceProvider } from "../../src/sandbox/index.js"

JobLeasesSuite.suite("MemoryJobLeases", MemoryJobLeases.layer)
InvoiceModeSettingSuite.suite("MemoryInvoiceModeSetting", MemoryInvoiceModeSetting.layer)

// The mode operators switch to, read from the store, around an issuer that only issues: the provider
// contract's mode cases switch it the way the admin route does, by recording a change.
const modal = Layer.effect(
  InvoiceProvider,
  Effect.flatMap(InvoiceProvider, (issuer) => withInvoiceModes(issuer, "stripe")),
).pipe(Layer.provide(SandboxInvoiceProvider.layer()), Layer.provideMerge(MemoryInvoiceModeSetting.layer))

InvoiceProviderSuite.suite("withInvoiceModes over SandboxInvoiceProvider", modal, {
  setMode: (mode) =>
    Effect.flatMap(InvoiceModeSetting, (setting) =>
      setting.record({ mode, actor: "ops@example.com", reason: "contract", at: new Date() }),
    ).pipe(Effect.orDie),
})
