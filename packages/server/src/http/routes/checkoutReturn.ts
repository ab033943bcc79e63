import type Router from "@koa/router"

const page = (title: string, text: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>${title}</h1><p>${text}</p></body></html>`

/**
 * Where Stripe Checkout sends the customer back (the gateway's success and cancel URLs). A shop with
 * its own storefront points those elsewhere; these keep the reference server from ending on a 404.
 * The page promises nothing: only the verified webhook confirms an order.
 */
export const checkoutReturnRoutes = (router: Router): void => {
  router.get("/checkout/success", (ctx) => {
    ctx.type = "html"
    ctx.body = page(
      "Thank you",
      "Your payment is being confirmed; the order updates as soon as Stripe tells us.",
    )
  })
  router.get("/checkout/cancelled", (ctx) => {
    ctx.type = "html"
    ctx.body = page(
      "Checkout cancelled",
      "No payment was taken. The reserved items are released when the session expires.",
    )
  })
}
