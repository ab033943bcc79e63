import type { Schema } from "effect"
import type { Context } from "koa"
import type { RouteDeps } from "../routeDeps.js"

/**
 * One declaration per route: the Koa router (`mountRoutes`) and the OpenAPI 3.1 document
 * (`openApiDocument`) are both built from it, so they cannot drift.
 */

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete"

/**
 * "admin": `requireAdmin` runs before the body is read (401/403/503 documented for it).
 * "metrics": a bearer token when `AppOptions.metricsToken` is set, open otherwise.
 */
export type Auth = "none" | "admin" | "metrics"

/** Any effect Schema with no requirements; its encoded side is what travels on the wire. */
export type AnySchema = Schema.Schema.AnyNoContext

/**
 * "json": the framework reads and parses it (415/413/400 documented) and hands it to the handler as
 * `unknown` for the use-case to decode with `schema`. "rawJson" and "multipart": the handler reads the
 * bytes itself (the webhook verifies a signature over them; uploads stream); `schema` documents them.
 */
export type RequestBody =
  | { readonly kind: "json"; readonly schema: AnySchema; readonly description?: string }
  | { readonly kind: "rawJson"; readonly schema: AnySchema; readonly description?: string }
  | { readonly kind: "multipart"; readonly schema: AnySchema; readonly description?: string }

export interface HeaderSpec {
  readonly description: string
  readonly required?: boolean
  /** Defaults to a string. */
  readonly schema?: AnySchema
}

export interface RequestSpec {
  /** A Struct of the path's `{name}` parameters (strings on the wire). */
  readonly params?: AnySchema
  /** A Struct of the query parameters as they arrive (strings); optional fields are optional parameters. */
  readonly query?: AnySchema
  readonly headers?: Readonly<Record<string, HeaderSpec>>
  readonly body?: RequestBody
}

export type ContentType =
  | "application/json"
  | "text/plain"
  | "text/html"
  | "application/octet-stream"
  | "image/*"

/** A success (or documented non-error) answer. `schema` describes a JSON body; text/html/binary need none. */
export interface ResponseSpec {
  readonly description: string
  /**
   * Default "application/json" when `schema` is set; no content otherwise. Several when the route
   * negotiates (the sandbox pay page: HTML for browsers, JSON otherwise); `schema` is the JSON one.
   */
  readonly content?: ContentType | ReadonlyArray<ContentType>
  readonly schema?: AnySchema
  readonly headers?: Readonly<Record<string, HeaderSpec>>
}

/** A refusal: the body is always `ErrorBody`; `codes` are the `error.code` values it can carry. */
export interface ErrorSpec {
  readonly description: string
  readonly codes: ReadonlyArray<string>
  readonly headers?: Readonly<Record<string, HeaderSpec>>
  /** Browsers are answered an HTML page instead (the sandbox pay page's 404). */
  readonly html?: boolean
}

/** What the framework read before the handler: the parsed JSON body for `kind: "json"`, else undefined. */
export interface RequestInput {
  readonly body: unknown
}

export interface RouteDeclaration<D = RouteDeps> {
  readonly method: HttpMethod
  /** OpenAPI form: `/api/v1/orders/{id}`; mounted on Koa as `/api/v1/orders/:id`. */
  readonly path: string
  readonly operationId: string
  readonly summary: string
  readonly description?: string
  readonly tags: ReadonlyArray<string>
  readonly auth: Auth
  readonly request?: RequestSpec
  /** Honour `Idempotency-Key`: a replay of the same key and body answers the stored status and body. */
  readonly idempotent?: boolean
  /** Successes and other non-error answers, by status. */
  readonly responses: Readonly<Record<number, ResponseSpec>>
  /**
   * The refusals this route's handler or use-case can answer, by status. The framework adds the ones
   * it causes itself (JSON body: 400/413/415; admin: 401/403/503; metrics: 401; idempotent: 409/422).
   */
  readonly errors?: Readonly<Record<number, ErrorSpec>>
  readonly handler: (ctx: Context, deps: D, input: RequestInput) => Promise<void> | void
}

/**
 * Declares a route. A full example (the shopper's checkout):
 *
 * ```ts
 * export const createCheckoutRoute = defineRoute({
 *   method: "post",
 *   path: "/api/v1/checkout",
 *   operationId: "createCheckout",
 *   summary: "Open a checkout: reserve the cart and get the payment URL",
 *   tags: ["shop"],
 *   auth: "none",
 *   idempotent: true,
 *   request: { body: { kind: "json", schema: CheckoutRequest } },
 *   responses: {
 *     201: {
 *       description: "The pending order, its access token (shown once) and the payment URL",
 *       schema: CheckoutCreated,
 *       headers: { Location: { description: "The order's URL" } },
 *     },
 *   },
 *   errors: {
 *     409: { description: "Not enough stock or coupon capacity", codes: ["INSUFFICIENT_STOCK"] },
 *     503: STORE_UNAVAILABLE,
 *   },
 *   handler: async (ctx, deps, { body }) => {
 *     await respond(ctx, deps.runtime, createCheckout(body, opts), 201, toView)
 *   },
 * })
 * ```
 *
 * `D` is what the handler needs from the app's options (default `RouteDeps`); `mountRoutes` passes
 * the app's options, which extend every route's `D`.
 */
export const defineRoute = <D = RouteDeps>(route: RouteDeclaration<D>): RouteDeclaration<D> => route

/** `/api/v1/orders/{id}` → `/api/v1/orders/:id`. */
export const koaPath = (path: string): string => path.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1")
