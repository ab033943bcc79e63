import { CheckoutRequest, createCheckout, InvalidInput } from "@settle/domain"
import { Schema } from "effect"
import { STORE_UNAVAILABLE } from "../contract/commonErrors.js"
import { defineRoute } from "../contract/route.js"
import { orderForToken } from "../orderAccess.js"
import { OrderTokenRequired } from "../rejections.js"
import { json, respond, run } from "../respond.js"
import { CustomerOrderJson } from "../schemas/orders.js"
import { orderView } from "../views.js"

/** The shopper's API: open a checkout, then read the order back with its access token. */

const CheckoutCreated = Schema.Struct({
  order: CustomerOrderJson,
  accessToken: Schema.String.annotations({
    description: "The order's only key, shown once: send it as X-Order-Token",
  }),
  paymentUrl: Schema.String,
}).annotations({ identifier: "CheckoutCreated" })

const OrderAnswer = Schema.Struct({ order: CustomerOrderJson }).annotations({
  identifier: "CustomerOrderAnswer",
})

export const createCheckoutRoute = defineRoute({
  method: "post",
  path: "/api/v1/checkout",
  operationId: "createCheckout",
  summary: "Open a checkout: reserve the cart and get the payment URL",
  tags: ["shop"],
  auth: "none",
  idempotent: true,
  request: { body: { kind: "json", schema: CheckoutRequest } },
  responses: {
    201: {
      description: "The pending order, its access token (shown once) and where to pay",
      schema: CheckoutCreated,
      headers: { Location: { description: "The order's URL, `/api/v1/orders/{id}`" } },
    },
  },
  errors: {
    409: {
      description: "Not enough stock, or the coupon has no capacity left or is not usable",
      codes: ["INSUFFICIENT_STOCK", "COUPON_UNAVAILABLE"],
    },
    422: {
      description:
        "An unknown SKU or coupon, a currency that does not match the catalog, a total too large, or a rule the schema cannot state (`INPUT_REFUSED` naming the field: one sku on two lines, a coupon that would make the order free)",
      codes: ["UNKNOWN_SKU", "UNKNOWN_COUPON", "CURRENCY_MISMATCH", "AMOUNT_TOO_LARGE", "INPUT_REFUSED"],
    },
    502: {
      description:
        "The payment provider refused to open the payment session (`details.providerCode` says why): the order is cancelled and nothing stays held",
      codes: ["PAYMENT_PROVIDER_REFUSED"],
    },
    503: {
      ...STORE_UNAVAILABLE,
      codes: [...STORE_UNAVAILABLE.codes, "PAYMENT_PROVIDER_UNAVAILABLE"],
    },
  },
  handler: async (ctx, deps, { body }) => {
    const checkout = createCheckout(body, { reservationTtlMs: deps.reservationTtlMs })
    await respond(ctx, deps.runtime, checkout, 201, ({ order, paymentUrl }) => {
      ctx.set("Location", `/api/v1/orders/${order.id}`)
      // The token is shown once, here: it is the shopper's only key to the order.
      return { order: orderView(order), accessToken: order.accessToken, paymentUrl }
    })
  },
})

export const getOrderRoute = defineRoute({
  method: "get",
  path: "/api/v1/orders/{id}",
  operationId: "getOrder",
  summary: "Read an order back with its access token",
  tags: ["shop"],
  auth: "none",
  request: {
    params: Schema.Struct({ id: Schema.String }),
    headers: {
      "X-Order-Token": {
        description: "The `accessToken` the checkout answered; the header is the only place it is read",
        required: true,
      },
    },
  },
  responses: {
    200: {
      description: "The order",
      schema: OrderAnswer,
      headers: { "Cache-Control": { description: "`no-store`" } },
    },
  },
  errors: {
    400: {
      description: "A `token` query parameter: the token is accepted in `X-Order-Token` only",
      codes: ["INVALID_INPUT"],
    },
    401: {
      description: "No `X-Order-Token` header",
      codes: ["ORDER_TOKEN_REQUIRED"],
      headers: { "WWW-Authenticate": { description: "`X-Order-Token`" } },
    },
    404: { description: "No order with this id and token", codes: ["ORDER_NOT_FOUND"] },
    503: STORE_UNAVAILABLE,
  },
  handler: async (ctx, deps) => {
    // A token in the URL ends up in access logs and Referer headers: refused, not silently ignored.
    if (ctx.query.token !== undefined) {
      throw new InvalidInput({
        field: "token",
        message: "send the order's access token in the X-Order-Token header, not the query string",
      })
    }
    const token = ctx.get("X-Order-Token")
    if (token === "") throw new OrderTokenRequired()
    const order = await run(ctx, deps.runtime, orderForToken(ctx.params.id ?? "", token))
    ctx.set("Cache-Control", "no-store")
    json(ctx, 200, { order: orderView(order) })
  },
})

export const checkoutRoutes = [createCheckoutRoute, getOrderRoute]
