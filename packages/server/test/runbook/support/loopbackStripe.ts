import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { PaymentSucceeded } from "@settle/domain"

export interface LoopbackStripe {
  /** For STRIPE_API_BASE_URL: `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Stripe now answers `checkout.sessions.retrieve` for this payment's session as paid. */
  readonly paid: (payment: PaymentSucceeded) => void
  readonly close: () => Promise<void>
}

/**
 * The one Stripe call `pnpm ops replay --session` makes, on 127.0.0.1: GET /v1/checkout/sessions/:id,
 * answered with the session as Stripe holds it after the customer paid (stripe-mock cannot: its
 * sessions are fixtures without an amount). Anything else is Stripe's 404.
 */
export const startLoopbackStripe = async (): Promise<LoopbackStripe> => {
  const sessions = new Map<string, object>()
  const server = createServer((req, res) => {
    const id = /^\/v1\/checkout\/sessions\/([^/?]+)$/.exec(req.url ?? "")?.[1]
    const session =
      req.method === "GET" && id !== undefined ? sessions.get(decodeURIComponent(id)) : undefined
    res.writeHead(session === undefined ? 404 : 200, { "Content-Type": "application/json" })
    res.end(
      JSON.stringify(
        session ?? {
          error: {
            type: "invalid_request_error",
            code: "resource_missing",
            message: "No such checkout.session",
          },
        },
      ),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paid: (payment) => {
      sessions.set(payment.sessionId, {
        id: payment.sessionId,
        object: "checkout.session",
        mode: "payment",
        status: "complete",
        payment_status: "paid",
        payment_intent: payment.paymentIntentId,
        amount_total: payment.amount.amount,
        currency: payment.amount.currency.toLowerCase(),
        metadata: payment.orderId === null ? {} : { orderId: payment.orderId },
        client_reference_id: payment.orderId,
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
