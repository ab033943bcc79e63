import type { SandboxControl, SandboxPaymentGateway } from "@settle/adapters"
import { OrderRepository, type PaymentEvent, type SessionId } from "@settle/domain"

type SandboxRefused = SandboxPaymentGateway.SandboxRefused

import { Effect, Option, Schema } from "effect"
import type { Context } from "koa"
import { STORE_UNAVAILABLE } from "../http/contract/commonErrors.js"
import { defineRoute } from "../http/contract/route.js"
import { RouteNotFound, SandboxSessionNotFound, WebhookDeliveryFailed } from "../http/rejections.js"
import { json, run } from "../http/respond.js"
import type { RouteDeps } from "../http/routeDeps.js"
import type { Deliver, Delivery } from "./delivery.js"
import { forbidFraming, fromOwnPage } from "./guard.js"
import { notFoundPage, payPage } from "./page.js"

export interface SandboxDeps {
  readonly control: SandboxControl
  readonly deliver: Deliver
  /** Where browsers reach the server (PUBLIC_URL or the bound address): the origin the page posts from. */
  readonly publicUrl: () => string
}

/** The customer's buttons; each makes the sandbox produce the event Stripe would send. */
type Press = (control: SandboxControl, id: SessionId) => Effect.Effect<PaymentEvent, SandboxRefused>

const ACTIONS: Readonly<Record<"pay" | "expire", { readonly run: Press; readonly notice: string }>> = {
  pay: { run: (control, id) => control.pay(id), notice: "Paid." },
  expire: { run: (control, id) => control.expire(id), notice: "Checkout cancelled." },
}

const NOTICES: Readonly<Record<string, string>> = {
  pay: ACTIONS.pay.notice,
  expire: ACTIONS.expire.notice,
  failed: "The webhook endpoint did not accept the event; see the server log.",
}

const findSession = (control: SandboxControl, sessionId: string) =>
  Effect.map(control.sessions, (sessions) => sessions.find((s) => s.sessionId === sessionId) ?? null)

const orderStatusOf = (sessionId: SessionId) =>
  Effect.flatMap(OrderRepository, (orders) => orders.findBySessionId(sessionId)).pipe(
    Effect.map(
      Option.match({ onNone: () => null, onSome: (order) => ({ id: order.id, status: order.status }) }),
    ),
  )

/** Browsers get pages and redirects; curl (Accept: *\/*) and API clients get JSON. */
const wantsHtml = (ctx: Context): boolean => ctx.accepts("json", "html") === "html"

const deliveryView = (delivery: Delivery) => ({
  status: delivery.status,
  attempts: delivery.attempts,
  response: delivery.response,
})

type Deps = RouteDeps & { readonly sandbox: SandboxDeps | null }

/** The sandbox's own deps; without the sandbox gateway its paths are not served (404). */
const sandboxOf = (ctx: Context, deps: Deps): SandboxDeps => {
  if (deps.sandbox === null) throw new RouteNotFound({ method: ctx.method, path: ctx.path })
  return deps.sandbox
}

const MoneyJson = Schema.Struct({ amount: Schema.Int, currency: Schema.String })

const SessionJson = Schema.Struct({
  sessionId: Schema.String,
  orderId: Schema.String,
  amount: MoneyJson,
  status: Schema.String,
  paymentStatus: Schema.String,
  expiresAt: Schema.String,
}).annotations({ identifier: "SandboxSession" })

const OrderStatusJson = Schema.NullOr(Schema.Struct({ id: Schema.String, status: Schema.String }))

const SessionParams = Schema.Struct({ sessionId: Schema.String })

const SESSION_NOT_FOUND = {
  description: "No such sandbox checkout session (or the sandbox gateway is not in use)",
  codes: ["SANDBOX_SESSION_NOT_FOUND", "NOT_FOUND"],
}

/**
 * The sandbox gateway's payment provider UI (the embedded default's, or PAYMENTS=sandbox): `GET /sandbox/checkout/{sessionId}` is the paymentUrl a
 * checkout returns; its buttons POST here, and the resulting event is signed and delivered over HTTP
 * to /api/v1/webhooks/stripe, exactly as Stripe would deliver it.
 */
export const payPageRoute = defineRoute<Deps>({
  method: "get",
  path: "/sandbox/checkout/{sessionId}",
  operationId: "sandboxPayPage",
  summary: "The sandbox pay page (HTML for browsers, JSON for API clients)",
  tags: ["sandbox"],
  auth: "none",
  request: {
    params: SessionParams,
    query: Schema.Struct({
      done: Schema.optional(Schema.String).annotations({ description: "The notice to show after a button" }),
    }),
  },
  responses: {
    200: {
      description: "The session and its order's status",
      content: ["application/json", "text/html"],
      schema: Schema.Struct({ session: SessionJson, order: OrderStatusJson }),
    },
  },
  errors: { 404: { ...SESSION_NOT_FOUND, html: true }, 503: STORE_UNAVAILABLE },
  handler: async (ctx, deps) => {
    const sandbox = sandboxOf(ctx, deps)
    forbidFraming(ctx)
    const sessionId = ctx.params.sessionId ?? ""
    const session = await run(ctx, deps.runtime, findSession(sandbox.control, sessionId))
    if (session === null) {
      if (!wantsHtml(ctx)) throw new SandboxSessionNotFound({ sessionId })
      ctx.status = 404
      ctx.body = notFoundPage(sessionId)
      return
    }
    const order = await run(ctx, deps.runtime, orderStatusOf(session.sessionId))
    if (!wantsHtml(ctx)) {
      json(ctx, 200, { session: sessionView(session), order })
      return
    }
    const done = ctx.query.done
    const notice = typeof done === "string" ? (NOTICES[done] ?? null) : null
    ctx.type = "html"
    ctx.body = payPage({ session, orderStatus: order?.status ?? null, notice })
  },
})

const pressRoute = (action: "pay" | "expire", summary: string) =>
  defineRoute<Deps>({
    method: "post",
    path: `/sandbox/checkout/{sessionId}/${action}`,
    operationId: action === "pay" ? "sandboxPay" : "sandboxExpire",
    summary,
    tags: ["sandbox"],
    auth: "none",
    request: { params: SessionParams },
    responses: {
      200: {
        description: "The event was produced and our webhook endpoint accepted it",
        schema: Schema.Struct({
          sessionId: Schema.String,
          event: Schema.Struct({ id: Schema.String, type: Schema.String }),
          delivery: Schema.Struct({
            status: Schema.NullOr(Schema.Int),
            attempts: Schema.Int,
            response: Schema.Unknown,
          }),
          order: OrderStatusJson,
        }),
      },
      303: {
        description: "Browsers: back to the pay page with a notice",
        headers: { Location: { description: "The pay page" } },
      },
    },
    errors: {
      403: { description: "A post from another site's page", codes: ["SANDBOX_CROSS_SITE_POST"] },
      404: SESSION_NOT_FOUND,
      409: {
        description: "The session cannot do that (already paid or expired)",
        codes: ["SANDBOX_REFUSED"],
      },
      502: {
        description: "The webhook endpoint did not accept the signed event",
        codes: ["WEBHOOK_DELIVERY_FAILED"],
      },
      503: STORE_UNAVAILABLE,
    },
    handler: async (ctx, deps) => {
      const sandbox = sandboxOf(ctx, deps)
      forbidFraming(ctx)
      if (!fromOwnPage(ctx, sandbox.publicUrl())) return
      const sessionId = ctx.params.sessionId ?? ""
      const session = await run(ctx, deps.runtime, findSession(sandbox.control, sessionId))
      if (session === null) throw new SandboxSessionNotFound({ sessionId })
      const event = await run(ctx, deps.runtime, ACTIONS[action].run(sandbox.control, session.sessionId))
      const delivery = await run(ctx, deps.runtime, sandbox.deliver(event))
      if (wantsHtml(ctx)) {
        const done = delivery.delivered ? action : "failed"
        ctx.status = 303
        ctx.redirect(`/sandbox/checkout/${encodeURIComponent(session.sessionId)}?done=${done}`)
        return
      }
      if (!delivery.delivered) {
        throw new WebhookDeliveryFailed({
          eventId: delivery.eventId,
          status: delivery.status,
          attempts: delivery.attempts,
          response: delivery.response,
        })
      }
      json(ctx, 200, {
        sessionId: session.sessionId,
        event: { id: event.eventId, type: event.type },
        delivery: deliveryView(delivery),
        order: await run(ctx, deps.runtime, orderStatusOf(session.sessionId)),
      })
    },
  })

export const sandboxRoutes = [
  payPageRoute,
  pressRoute("pay", "The pay page's Pay button: pays the session and delivers the signed event"),
  pressRoute("expire", "The pay page's Cancel button: expires the session and delivers the signed event"),
]

const sessionView = (session: SandboxPaymentGateway.SandboxSession) => ({
  sessionId: session.sessionId,
  orderId: session.orderId,
  amount: session.amount,
  status: session.status,
  paymentStatus: session.paymentStatus,
  expiresAt: session.expiresAt.toISOString(),
})
