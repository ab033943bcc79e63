import { Schema } from "effect"
import { sandboxRoutes } from "../../sandbox/routes.js"
import type { AppOptions } from "../app.js"
import { json } from "../respond.js"
import { adminCouponRoutes } from "../routes/adminCoupons.js"
import { adminHealthRoutes } from "../routes/adminHealth.js"
import { adminJobRoutes } from "../routes/adminJobs.js"
import { adminMediaRoutes } from "../routes/adminMedia.js"
import { adminOrderRoutes } from "../routes/adminOrders.js"
import { adminPaymentRoutes } from "../routes/adminPayments.js"
import { adminProductRoutes } from "../routes/adminProducts.js"
import { adminSettingsRoutes } from "../routes/adminSettings.js"
import { checkoutRoutes } from "../routes/checkout.js"
import { checkoutReturnRoutes } from "../routes/checkoutReturn.js"
import { healthRoutes } from "../routes/health.js"
import { mediaFileRoutes } from "../routes/mediaFiles.js"
import { webhookRoutes } from "../routes/webhooks.js"
import { openApiDocument } from "./openapi.js"
import { defineRoute, type RouteDeclaration } from "./route.js"

let served: ReturnType<typeof openApiDocument> | null = null

/** `GET /openapi.json`: the document built from the same list the router is built from. */
export const openApiRoute = defineRoute({
  method: "get",
  path: "/openapi.json",
  operationId: "openApiDocument",
  summary: "This API's OpenAPI 3.1 document",
  tags: ["meta"],
  auth: "none",
  responses: {
    200: {
      description: "The OpenAPI 3.1 document (the same as docs/openapi.json)",
      schema: Schema.Struct(
        { openapi: Schema.Literal("3.1.0") },
        Schema.Record({ key: Schema.String, value: Schema.Unknown }),
      ),
    },
  },
  handler: (ctx) => {
    served ??= openApiDocument(routeDeclarations)
    json(ctx, 200, served)
  },
})

/**
 * Every route the server serves, in one list: `makeApp` mounts it and `openApiDocument` documents it.
 * A route file exports its declarations; add them here.
 */
export const routeDeclarations: ReadonlyArray<RouteDeclaration<AppOptions>> = [
  ...healthRoutes,
  openApiRoute,
  ...checkoutRoutes,
  ...checkoutReturnRoutes,
  ...webhookRoutes,
  ...mediaFileRoutes,
  ...sandboxRoutes,
  ...adminProductRoutes,
  ...adminCouponRoutes,
  ...adminOrderRoutes,
  ...adminPaymentRoutes,
  ...adminHealthRoutes,
  ...adminJobRoutes,
  ...adminSettingsRoutes,
  ...adminMediaRoutes,
]
