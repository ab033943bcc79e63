import type Router from "@koa/router"
import type { SandboxControl, SandboxPaymentGateway } from "@settle/adapters"
import { OrderRepository, type PaymentEvent, type SessionId } from "@settle/domain"

type SandboxRefused = SandboxPaymentGateway.SandboxRefused

import { Effect, Option } from "effect"
import type { Context } from "koa"
import { SandboxSessionNotFound, WebhookDeliveryFailed } from "../http/rejections.js"
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

/**
 * The sandbox gateway's payment provider UI (the embedded default's, or PAYMENTS=sandbox): `GET /sandbox/checkout/:sessionId` is the paymentUrl a
 * checkout returns; its buttons POST here, and the resulting event is signed and delivered over HTTP
 * to /api/v1/webhooks/stripe, exactly as Stripe would deliver it.
 */
export const sandboxRoutes = (router: Router, deps: RouteDeps, sandbox: SandboxDeps): void => {
  const base = "/sandbox/checkout/:sessionId"

  router.get(base, async (ctx) => {
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
  })

  for (const action of ["pay", "expire"] as const) {
    router.post(`${base}/${action}`, async (ctx) => {
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
    })
  }
}

const sessionView = (session: SandboxPaymentGateway.SandboxSession) => ({
  sessionId: session.sessionId,
  orderId: session.orderId,
  amount: session.amount,
  status: session.status,
  paymentStatus: session.paymentStatus,
  expiresAt: session.expiresAt.toISOString(),
})
