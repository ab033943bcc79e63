import type { Logger } from "pino"
import type { Config } from "../config/index.js"
import { banner } from "./banner.js"
import { demoAdminToken } from "./demoAdminToken.js"
import { paymentsPlan, storagePlan } from "./settings.js"
import type { RunningServer } from "./start.js"
import { warning } from "./storeAtomicity.js"

const embedded = (config: Config): boolean =>
  config.storage._tag === "Memory" && config.payments._tag === "Sandbox"

/**
 * Says what started. stdout carries only log records, so a log pipeline can parse every line of it;
 * what people read (the banner, the walk-through) and the plain `listening on <url>` line that
 * scripts wait for go to stderr. The bound URL is also in the `[http] listening` record.
 */
export const announce = async (config: Config, running: RunningServer, logger: Logger): Promise<void> => {
  const payments = config.payments._tag === "Stripe" ? { livemode: config.payments.livemode } : {}
  const text = banner({
    url: running.url,
    publicUrl: running.publicUrl,
    storage: storagePlan(config),
    payments: { ...paymentsPlan(config), ...payments },
    demoAdminToken: await demoAdminToken(config.admin),
    notices: config.notices,
    warnings: running.store === null || running.store.atomicConditionalWrites ? [] : [warning(running.store)],
  })
  process.stderr.write(`${text}\n`)
  // A deployment's alerting reads log levels, not the banner.
  if (!embedded(config)) for (const notice of config.notices) logger.warn(`[config] ${notice}`)
  const address = running.server.address()
  logger.info(
    {
      url: running.url,
      // The interface actually bound (0.0.0.0 in a deployment), where `url` is how to reach it locally.
      host: typeof address === "object" && address !== null ? address.address : null,
      publicUrl: running.publicUrl,
      storage: config.storage._tag,
      payments: config.payments._tag,
      ...payments,
    },
    "[http] listening",
  )
  process.stderr.write(`listening on ${running.url}\n`)
}
