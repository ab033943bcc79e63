import { createServer, type RequestListener, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import {
  type MongoServerTraits,
  PrometheusRegistry,
  SandboxControl,
  StripeClient,
  StripeEventPayload,
} from "@settle/adapters"
import type { InvoiceMode } from "@settle/domain"
import { Cause, Effect, Exit, Fiber, type Layer, ManagedRuntime, Option } from "effect"
import type { Logger } from "pino"
import type { AdminAuthConfig } from "../auth/AdminAuth.js"
import { DEFAULTS } from "../config/index.js"
import { makeApp } from "../http/app.js"
import { type CorsOrigins, NO_CORS } from "../http/cors.js"
import type { Readiness } from "../http/routes/health.js"
import { type JobsSettings, makeJobRunner } from "../jobs/runner.js"
import { unscheduled } from "../jobs/settings.js"
import type { AppRuntime, AppServices } from "../runtime.js"
import { makeDeliver } from "../sandbox/delivery.js"
import { expireDueSessions } from "../sandbox/expiry.js"
import type { SandboxDeps } from "../sandbox/routes.js"
import { DEFAULT_GAUGE_SETTINGS, type GaugeSettings, registerOrderHealthGauges } from "./gauges.js"
import { appLayer, type PaymentsPlan, type StoragePlan } from "./layers.js"
import { DEFAULT_MEDIA_PLAN, type MediaPlan } from "./media.js"
import { type ShutdownOutcome, shutdown } from "./shutdown.js"
import { StoreTraits } from "./storeAtomicity.js"

export interface ServerSettings {
  readonly host: string
  /** 0 picks a free port; the actual one is in `RunningServer.url`. */
  readonly port: number
  /** Where customers reach the server (behind a proxy); defaults to the listening address. */
  readonly publicUrl: string | null
  readonly bodyLimitBytes: number
  readonly reservationTtlMs: number
  /** WEBHOOK_ORPHAN_WINDOW_SECONDS in ms; the webhook's default (an hour) when absent. */
  readonly webhookOrphanWindowMs?: number
  /** After SIGTERM, how long /readyz answers 503 while the port still serves; 0 when absent. */
  readonly drainDelayMs?: number
  readonly shutdownTimeoutMs: number
  /** How often the sandbox expires due sessions and delivers checkout.session.expired. */
  readonly sandboxExpiryEveryMs: number
  readonly storage: StoragePlan
  readonly payments: PaymentsPlan
  readonly admin: AdminAuthConfig
  readonly logger: Logger
  /** INVOICE_MODE: the invoice mode until an operator switches it at runtime; "none" when absent. */
  readonly invoiceMode?: InvoiceMode
  /** The background jobs' schedule; absent, this server schedules none (an admin can still run one). */
  readonly jobs?: JobsSettings
  /** Where admin uploads go and how large they may be; local disk in the temp directory when absent. */
  readonly media?: MediaPlan
  /** HTTP_*_TIMEOUT_SECONDS: how long a client may take over its headers, its request, and idle. */
  readonly timeouts?: HttpTimeouts
  /** CORS_ORIGINS / CORS_ADMIN_ORIGINS; none when absent. */
  readonly cors?: CorsOrigins
  /** How often /metrics counts the store and how long a scrape waits for it. */
  readonly gauges?: GaugeSettings
  /** METRICS_TOKEN: the bearer token /metrics asks for; open when null or absent. */
  readonly metricsToken?: string | null
  /** Replaces ports of the built layer (tests: a failing store). */
  readonly overrideLayer?: (layer: Layer.Layer<AppServices, unknown>) => Layer.Layer<AppServices, unknown>
}

export interface HttpTimeouts {
  /** headersTimeout: a client trickling its headers is cut off after this. */
  readonly headersMs: number
  /** requestTimeout: the whole request, headers and body, must arrive within this. */
  readonly requestMs: number
  /** keepAliveTimeout: an idle keep-alive connection is closed after this. */
  readonly keepAliveMs: number
}

/** The config's defaults (docs/deploy.md), for servers started without them (tests, embedding). */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: DEFAULTS.httpTimeoutSeconds.headers * 1000,
  requestMs: DEFAULTS.httpTimeoutSeconds.request * 1000,
  keepAliveMs: DEFAULTS.httpTimeoutSeconds.keepAlive * 1000,
}

/**
 * A server that cuts slow clients off. Node checks the header and request timeouts only every
 * `connectionsCheckingInterval` (30 s by default), which would let a slow client stay up to 30 s past
 * its limit: check at a fraction of the shorter limit instead.
 */
const httpServer = (timeouts: HttpTimeouts, handler: RequestListener): Server =>
  createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
    },
    handler,
  )

export interface RunningServer {
  /** `http://host:port` as bound. */
  readonly url: string
  readonly publicUrl: string
  readonly server: Server
  readonly runtime: AppRuntime
  readonly sandbox: SandboxDeps | null
  /** What the MongoDB store is (null on the in-memory stores): the banner warns of one that races. */
  readonly store: MongoServerTraits.ServerTraits | null
  readonly shutdown: (reason: string) => Promise<ShutdownOutcome>
}

/** A bootstrap step failed: the reason is printed as `Bootstrap failed: <reason>` and the process exits 1. */
export class BootstrapError extends Error {}

const reasonOf = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.squash(cause)
  if (typeof failure === "object" && failure !== null && "message" in failure) {
    const message = String((failure as { message: unknown }).message)
    if (message !== "") return message
  }
  return Cause.pretty(cause)
}

/** A wildcard bind is reached on loopback: that is where the sandbox delivers and what the banner prints. */
const localHost = (address: AddressInfo): string => {
  if (address.address === "0.0.0.0") return "127.0.0.1"
  if (address.address === "::") return "[::1]"
  return address.family === "IPv6" ? `[${address.address}]` : address.address
}

const listen = (server: Server, host: string, port: number): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      resolve(server.address() as AddressInfo)
    })
  })

/** Sandbox mode: the control, and delivery signed with the same Stripe SDK instance the verifier uses. */
const sandboxDeps = async (
  runtime: AppRuntime,
  settings: ServerSettings,
  webhookUrl: () => string,
  publicUrl: () => string,
): Promise<SandboxDeps | null> => {
  if (settings.payments._tag !== "Sandbox") return null
  const secret = settings.payments.webhookSecret
  const found = await runtime.runPromise(
    Effect.all([Effect.serviceOption(SandboxControl), Effect.serviceOption(StripeClient.StripeClient)]),
  )
  const [control, stripe] = found
  if (Option.isNone(control) || Option.isNone(stripe)) throw new BootstrapError("sandbox services missing")
  const deliver = makeDeliver({
    sign: (event, created) =>
      Effect.sync(() => StripeEventPayload.signedDelivery(stripe.value, event, secret, created)),
    webhookUrl,
  })
  return { control: control.value, deliver, publicUrl }
}

/**
 * Build the one runtime (connecting the store: failures end here, before the port opens), mount the
 * app, listen, start the sandbox timer. `shutdown` undoes all of it in order.
 */
export const startServer = async (settings: ServerSettings): Promise<RunningServer> => {
  const { logger } = settings
  const media = settings.media ?? DEFAULT_MEDIA_PLAN
  let bound: string | null = null
  const publicUrl = () => settings.publicUrl ?? bound ?? `http://${settings.host}:${settings.port}`
  const base = appLayer({
    storage: settings.storage,
    payments: settings.payments,
    admin: settings.admin,
    publicUrl,
    logger,
    ...(settings.invoiceMode === undefined ? {} : { invoiceMode: settings.invoiceMode }),
    media: media.store,
  })
  const runtime: AppRuntime = ManagedRuntime.make(settings.overrideLayer?.(base) ?? base)
  const built = await runtime.runPromiseExit(Effect.void)
  if (Exit.isFailure(built)) {
    await runtime.dispose().catch(() => undefined)
    throw new BootstrapError(reasonOf(built.cause))
  }
  const registry = await runtime.runPromise(PrometheusRegistry)
  registerOrderHealthGauges(registry, runtime, settings.gauges ?? DEFAULT_GAUGE_SETTINGS)
  const store = Option.getOrNull(await runtime.runPromise(Effect.serviceOption(StoreTraits)))
  const sandbox = await sandboxDeps(runtime, settings, () => `${bound}/api/v1/webhooks/stripe`, publicUrl)
  const readiness: Readiness = { draining: false }
  const jobs = makeJobRunner(settings.jobs ?? unscheduled())
  const app = makeApp({
    runtime,
    logger,
    bodyLimitBytes: settings.bodyLimitBytes,
    reservationTtlMs: settings.reservationTtlMs,
    ...(settings.webhookOrphanWindowMs === undefined
      ? {}
      : { webhookOrphanWindowMs: settings.webhookOrphanWindowMs }),
    mediaMaxBytes: media.maxBytes,
    registry,
    readiness,
    sandbox,
    jobs,
    cors: settings.cors ?? NO_CORS,
    metricsToken: settings.metricsToken ?? null,
  })
  const server = httpServer(settings.timeouts ?? DEFAULT_HTTP_TIMEOUTS, app.callback())
  let address: AddressInfo
  try {
    address = await listen(server, settings.host, settings.port)
  } catch (error) {
    await runtime.dispose().catch(() => undefined)
    throw new BootstrapError(`cannot listen on ${settings.host}:${settings.port}: ${String(error)}`)
  }
  bound = `http://${localHost(address)}:${address.port}`
  const timer =
    sandbox === null
      ? null
      : runtime.runFork(expireDueSessions(sandbox.control, sandbox.deliver, settings.sandboxExpiryEveryMs))
  const schedule = jobs.start(runtime)
  let stopping: Promise<ShutdownOutcome> | null = null
  return {
    url: bound,
    publicUrl: publicUrl(),
    server,
    runtime,
    sandbox,
    store,
    shutdown: (reason) => {
      stopping ??= shutdown(
        {
          server,
          readiness,
          logger,
          drainDelayMs: settings.drainDelayMs ?? 0,
          timeoutMs: settings.shutdownTimeoutMs,
          stopBackground: async () => {
            if (timer !== null) await Effect.runPromise(Fiber.interrupt(timer))
            await schedule.stop()
          },
          dispose: () => runtime.dispose(),
        },
        reason,
      )
      return stopping
    },
  }
}
