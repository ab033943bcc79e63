/** Stripe through its official SDK: checkout sessions, refunds, invoices, and verified, decoded webhooks. */
export * as StripeClient from "./StripeClient.js"
export * as StripeEventPayload from "./StripeEventPayload.js"
export * as StripeInvoiceProvider from "./StripeInvoiceProvider.js"
export * as StripePaymentGateway from "./StripePaymentGateway.js"
export * as StripeWebhooks from "./StripeWebhookEvents.js"
export { StripeWebhookEvents } from "./StripeWebhookEvents.js"
