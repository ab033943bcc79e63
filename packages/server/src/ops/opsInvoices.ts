import { StripeClient, StripeInvoiceProvider } from "@settle/adapters"
import {
  type InvoiceModeSetting,
  InvoiceProvider,
  InvoiceProviderError,
  type PaymentGatewayError,
  withInvoiceModes,
} from "@settle/domain"
import { Effect, Layer } from "effect"
import type { OpsConfig } from "./opsConfig.js"

/** Without a Stripe key there is nobody to issue through; manual and none never ask. */
const noIssuer = InvoiceProvider.of({
  mode: Effect.succeed("stripe"),
  issue: () =>
    Effect.fail(
      new InvoiceProviderError({
        message:
          "the invoice mode is stripe but STRIPE_SECRET_KEY is not set; set the key the server uses, or switch the mode to manual or none",
      }),
    ),
})

/**
 * The server's invoicing as it stands: the mode an operator switched to (kept in the store) or else
 * INVOICE_MODE, issuing through Stripe in stripe mode.
 */
export const invoiceProviderLayer = (
  config: OpsConfig,
): Layer.Layer<InvoiceProvider, PaymentGatewayError, InvoiceModeSetting> =>
  Layer.effect(
    InvoiceProvider,
    Effect.gen(function* () {
      const issuer =
        config.stripe === null
          ? noIssuer
          : StripeInvoiceProvider.make(yield* StripeClient.make({ ...config.stripe, maxNetworkRetries: 1 }))
      return yield* withInvoiceModes(issuer, config.invoiceMode)
    }),
  )
