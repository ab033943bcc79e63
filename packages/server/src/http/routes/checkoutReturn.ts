import { defineRoute } from "../contract/route.js"

const page = (title: string, text: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>${title}</h1><p>${text}</p></body></html>`

/**
 * Where Stripe Checkout sends the customer back (the gateway's success and cancel URLs). A shop with
 * its own storefront points those elsewhere; these keep the reference server from ending on a 404.
 * The page promises nothing: only the verified webhook confirms an order.
 */
const returnPage = (path: string, operationId: string, summary: string, title: string, text: string) =>
  defineRoute({
    method: "get",
    path,
    operationId,
    summary,
    tags: ["shop"],
    auth: "none",
    responses: { 200: { description: "An HTML page for the customer", content: "text/html" } },
    handler: (ctx) => {
      ctx.type = "html"
      ctx.body = page(title, text)
    },
  })

export const checkoutReturnRoutes = [
  returnPage(
    "/checkout/success",
    "checkoutSuccessPage",
    "Where the payment page sends the customer after paying",
    "Thank you",
    "Your payment is being confirmed; the order updates as soon as Stripe tells us.",
  ),
  returnPage(
    "/checkout/cancelled",
    "checkoutCancelledPage",
    "Where the payment page sends the customer after cancelling",
    "Checkout cancelled",
    "No payment was taken. The reserved items are released when the session expires.",
  ),
]
