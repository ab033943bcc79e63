import { Redacted } from "effect"
import type { AdminAuthConfig } from "../auth/AdminAuth.js"
import type { Config } from "../config/index.js"
import type { PaymentsPlan, StoragePlan } from "./layers.js"

/** Stripe lets a delivery take 30 s before it retries; Render waits 30 s after SIGTERM before SIGKILL. */
export const SHUTDOWN_TIMEOUT_MS = 10_000
/** How often the sandbox looks for sessions past their expiry. */
export const SANDBOX_EXPIRY_EVERY_MS = 15_000

/** The decoded config in the shapes the layers take; secrets leave their Redacted wrapper only here. */
export const storagePlan = (config: Config): StoragePlan =>
  config.storage._tag === "Memory"
    ? { _tag: "Memory" }
    : {
        _tag: "Mongo",
        uri: Redacted.value(config.storage.uri),
        dbName: config.storage.dbName,
        allowNonAtomicStore: config.storage.allowNonAtomicStore,
      }

export const paymentsPlan = (config: Config): PaymentsPlan => {
  const payments = config.payments
  if (payments._tag === "Sandbox") {
    return { _tag: "Sandbox", webhookSecret: Redacted.value(payments.webhookSecret) }
  }
  return {
    _tag: "Stripe",
    secretKey: Redacted.value(payments.secretKey),
    webhookSecret: Redacted.value(payments.webhookSecret),
    apiBaseUrl: payments.apiBaseUrl,
  }
}

export const adminPlan = (config: Config): AdminAuthConfig => {
  const { admin } = config
  const claims = {
    ...(admin.issuer === undefined ? {} : { issuer: admin.issuer }),
    ...(admin.audience === undefined ? {} : { audience: admin.audience }),
    ...(admin.maxLifetimeSeconds === undefined ? {} : { maxLifetimeSeconds: admin.maxLifetimeSeconds }),
  }
  return admin._tag === "Jwks"
    ? { _tag: "Jwks", url: admin.url, ...claims }
    : { _tag: "Secret", secret: admin.secret, ...claims }
}
