#!/usr/bin/env node
import { PinoLogger } from "@settle/adapters"
import { Either, Redacted } from "effect"
import type { Logger } from "pino"
import { announce } from "./bootstrap/announce.js"
import { DEFAULT_GAUGE_SETTINGS } from "./bootstrap/gauges.js"
import { mediaPlan } from "./bootstrap/media.js"
import {
  adminPlan,
  paymentsPlan,
  SANDBOX_EXPIRY_EVERY_MS,
  SHUTDOWN_TIMEOUT_MS,
  storagePlan,
} from "./bootstrap/settings.js"
import { type RunningServer, startServer } from "./bootstrap/start.js"
import { bootstrapFailure, type Config, loadConfig } from "./config/index.js"
import { jobsSettings } from "./jobs/settings.js"

const fail = (error: unknown): never => {
  console.error(bootstrapFailure(error))
  process.exit(1)
}

const start = async (config: Config, logger: Logger): Promise<RunningServer> => {
  const running = await startServer({
    host: config.server.host,
    port: config.server.port,
    publicUrl: config.server.publicUrl,
    bodyLimitBytes: config.server.bodyLimitBytes,
    reservationTtlMs: config.reservationTtlMs,
    webhookOrphanWindowMs: config.webhookOrphanWindowMs,
    drainDelayMs: config.server.drainDelayMs,
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    sandboxExpiryEveryMs: SANDBOX_EXPIRY_EVERY_MS,
    storage: storagePlan(config),
    payments: paymentsPlan(config),
    admin: adminPlan(config),
    logger,
    invoiceMode: config.invoiceMode,
    jobs: jobsSettings(config.jobs),
    media: mediaPlan(config),
    timeouts: config.server.timeouts,
    cors: config.server.cors,
    gauges: { ...DEFAULT_GAUGE_SETTINGS, everyMs: config.server.gaugeEveryMs },
    metricsToken: config.server.metricsToken === null ? null : Redacted.value(config.server.metricsToken),
  })
  await announce(config, running, logger)
  return running
}

const main = async () => {
  const config = Either.getOrElse(loadConfig(process.env), fail)
  const logger = PinoLogger.makePino({ level: config.logLevel, pretty: process.stdout.isTTY === true })
  const running = await start(config, logger).catch(fail)
  let signalled = false
  const stop = (signal: NodeJS.Signals) => {
    // A second Ctrl-C means "now"; and whatever hangs, the process is gone after the drain delay and
    // twice the drain budget.
    if (signalled) process.exit(1)
    signalled = true
    setTimeout(() => process.exit(1), config.server.drainDelayMs + 2 * SHUTDOWN_TIMEOUT_MS + 1_000).unref()
    running.shutdown(`${signal} received`).then(
      (outcome) => process.exit(outcome === "clean" ? 0 : 1),
      (error: unknown) => {
        logger.error({ err: String(error) }, "[http] shutdown failed")
        process.exit(1)
      },
    )
  }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
}

void main()
