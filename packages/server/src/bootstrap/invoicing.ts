import { SandboxInvoiceProvider, type StripeClient, StripeInvoiceProvider } from "@settle/adapters"
import { type InvoiceMode, type InvoiceModeSetting, InvoiceProvider, withInvoiceModes } from "@settle/domain"
import { Context, Effect, Layer } from "effect"
import type { PaymentsPlan } from "./layers.js"

/**
 * The invoice provider: Stripe issues with Stripe keys; the sandbox numbers invoices in memory, as it
 * takes payments, and keeps its InvoiceControl in the runtime for tests. Either runs under the mode
 * operators switch at runtime (stored, so every replica follows it), `initialMode` until the first switch.
 */
export const invoicing = (
  payments: PaymentsPlan,
  initialMode: InvoiceMode,
): Layer.Layer<InvoiceProvider, never, StripeClient.StripeClient | InvoiceModeSetting> => {
  // The sandbox issuer also provides its InvoiceControl; it stays in the context for tests.
  const issuer: Layer.Layer<InvoiceProvider, never, StripeClient.StripeClient> =
    payments._tag === "Stripe" ? StripeInvoiceProvider.layer() : SandboxInvoiceProvider.layer("stripe")
  return Layer.flatMap(issuer, (context) =>
    Layer.effectContext(
      Effect.map(withInvoiceModes(Context.get(context, InvoiceProvider), initialMode), (provider) =>
        Context.add(context, InvoiceProvider, provider),
      ),
    ),
  )
}
