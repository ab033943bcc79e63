import type { AppOptions } from "../app.js"
import { checkoutRoutes } from "../routes/checkout.js"
import type { RouteDeclaration } from "./route.js"

/**
 * Every route the server serves, in one list: `makeApp` mounts it and `openApiDocument` documents it.
 * A route file exports its declarations; add them here.
 */
export const routeDeclarations: ReadonlyArray<RouteDeclaration<AppOptions>> = [...checkoutRoutes]
