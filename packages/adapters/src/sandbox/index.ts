/**
 * The offline stand-ins for Stripe (Medusa's "system" provider): checkout sessions, payments, refunds
 * and invoices kept in memory, with a control that plays the customer and Stripe's events.
 */

export {
  SandboxControl,
  type SandboxPayment,
  SandboxRefused,
} from "./SandboxControl.js"
export * as SandboxInvoiceProvider from "./SandboxInvoiceProvider.js"
export { InvoiceControl, type IssuedInvoice } from "./SandboxInvoiceProvider.js"
export * as SandboxPaymentGateway from "./SandboxPaymentGateway.js"
export type { SandboxCapture, SandboxIds, SandboxRefund, SandboxSession } from "./SandboxStore.js"
