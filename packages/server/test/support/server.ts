import { PinoLogger, StripeClient, StripeEventPayload } from "@settle/adapters"
import {
  OrderRepository,
  type PaymentEvent,
  type SessionId,
  WebhookEventInbox,
  type WebhookEventInbox as WebhookEventInboxPort,
} from "@settle/domain"
import { crashable, FaultPlan, makePlan, SandboxControl, storeCrash, withFaults } from "@settle/testkit"
import { Effect, Layer, Option, Ref } from "effect"
import { SignJWT } from "jose"
import { afterEach } from "vitest"
import { type RunningServer, type ServerSettings, startServer } from "../../src/bootstrap/start.js"
import { type Answer, call, postJson } from "./http.js"

export const WEBHOOK_SECRET = "whsec_c2V0dGxlLXNlcnZlci10ZXN0cy13ZWJob29rLXNlY3JldA"
export const ADMIN_SECRET = "settle-server-tests-admin-secret-0123456789"

const running: Array<RunningServer> = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.shutdown("test over")))
})

/** A pino logger that keeps its JSON lines in `lines`, for tests that assert on logs. */
export const PinoLoggerFor = (lines: Array<string>) =>
  PinoLogger.makePino({ level: "debug", destination: { write: (line: string) => lines.push(line) } })

/**
 * A fresh server per test: memory stores with the demo shop, the sandbox gateway, port 0. The
 * order-health gauges are counted at every scrape (everyMs 0), so a test sees a fix at once; the
 * caching itself is tested with its own settings (test/edge/metricsGauges.test.ts).
 */
export const startTestServer = async (settings: Partial<ServerSettings> = {}): Promise<RunningServer> => {
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    publicUrl: null,
    bodyLimitBytes: 16 * 1024,
    reservationTtlMs: 30 * 60_000,
    shutdownTimeoutMs: 5_000,
    sandboxExpiryEveryMs: 60_000,
    storage: { _tag: "Memory" },
    payments: { _tag: "Sandbox", webhookSecret: WEBHOOK_SECRET },
    admin: { _tag: "Secret", secret: ADMIN_SECRET },
    logger: PinoLogger.makePino({ level: "silent" }),
    gauges: { everyMs: 0, timeoutMs: 2_000 },
    ...settings,
  })
  running.push(server)
  return server
}

/**
 * A server whose store fails on demand: the OrderRepository and the inbox crash with StoreError on the
 * k-th call after `failAt(k)`, as the testkit's fault injection does for the use-case tests.
 */
export const startFailingStoreServer = async (settings: Partial<ServerSettings> = {}) => {
  const plan = Effect.runSync(makePlan())
  const server = await startTestServer({
    ...settings,
    overrideLayer: (layer) =>
      withFaults(layer, [
        crashable(OrderRepository, storeCrash),
        crashable(WebhookEventInbox, storeCrash),
      ]).pipe(Layer.provide(Layer.succeed(FaultPlan, plan))),
  })
  const failAt = (k: number | null) =>
    Effect.runSync(Effect.all([Ref.set(plan.calls, 0), Ref.set(plan.failAt, k)], { discard: true }))
  return { server, failAt }
}

export { type Answer, call, postJson } from "./http.js"

/** The `{ error: { code, message, details } }` every failure carries. */
export interface ErrorBody {
  readonly error: {
    readonly code: string
    readonly message: string
    readonly details: Record<string, unknown>
  }
}

export const errorOf = (answer: Answer): ErrorBody["error"] => (answer.body as ErrorBody).error

export const CART = {
  items: [{ sku: "BEANS-1KG", quantity: 2 }],
  currency: "EUR",
  email: "shopper@example.com",
}

export interface CheckoutBody {
  readonly order: {
    readonly id: string
    readonly status: string
    readonly totals: { readonly total: { readonly amount: number; readonly currency: string } }
  }
  readonly accessToken: string
  readonly paymentUrl: string
}

/** A successful checkout through HTTP; fails the test otherwise. */
export const checkout = async (server: RunningServer, cart: unknown = CART): Promise<CheckoutBody> => {
  const answer = await postJson(`${server.url}/api/v1/checkout`, cart)
  if (answer.status !== 201)
    throw new Error(`checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return answer.body as CheckoutBody
}

export const sessionOf = (body: CheckoutBody): SessionId => body.paymentUrl.split("/").at(-1) as SessionId

export const readOrder = async (server: RunningServer, body: CheckoutBody) =>
  call(`${server.url}/api/v1/orders/${body.order.id}`, { headers: { "X-Order-Token": body.accessToken } })

/** Runs an Effect on the server's own runtime (its stores, its sandbox). */
export const onServer = <A, E>(server: RunningServer, effect: Effect.Effect<A, E, never>) =>
  server.runtime.runPromise(effect)

export const sandboxControl = async (server: RunningServer) =>
  Option.getOrThrow(await onServer(server, Effect.serviceOption(SandboxControl)))

/** The JSON Stripe would POST for `event` and its header, signed with `secret`. */
export const signed = async (server: RunningServer, event: PaymentEvent, secret = WEBHOOK_SECRET) => {
  const stripe = Option.getOrThrow(await onServer(server, Effect.serviceOption(StripeClient.StripeClient)))
  return StripeEventPayload.signedDelivery(stripe, event, secret, new Date())
}

/** A `Stripe-Signature` header over arbitrary bytes. */
export const signRaw = async (server: RunningServer, payload: string, secret = WEBHOOK_SECRET) => {
  const stripe = Option.getOrThrow(await onServer(server, Effect.serviceOption(StripeClient.StripeClient)))
  return stripe.webhooks.generateTestHeaderString({ payload, secret })
}

export const deliver = async (server: RunningServer, event: PaymentEvent, secret = WEBHOOK_SECRET) => {
  const { payload, header } = await signed(server, event, secret)
  return postJson(`${server.url}/api/v1/webhooks/stripe`, payload, { "Stripe-Signature": header })
}

export const inboxRecord = (server: RunningServer, eventId: string) =>
  server.runtime.runPromise(
    Effect.flatMap(WebhookEventInbox, (inbox: WebhookEventInboxPort) => inbox.find(eventId)),
  )

/** A value of a series in the /metrics text; 0 when the series is absent. */
export const metric = async (server: RunningServer, series: string): Promise<number> => {
  const text = (await call(`${server.url}/metrics`)).body as string
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

/** An HS256 admin token for the test secret. */
export const adminToken = (
  claims: Record<string, unknown> = { role: "admin" },
  subject = "ops@example.com",
) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(ADMIN_SECRET))
