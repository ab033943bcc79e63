import { JSONSchema, Schema } from "effect"
import {
  ADMIN_AUTH_ERRORS,
  IDEMPOTENCY_ERRORS,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  INTERNAL_ERROR,
  JSON_BODY_ERRORS,
  METRICS_AUTH_ERRORS,
} from "./commonErrors.js"
import { ErrorBody } from "./errorBody.js"
import type {
  AnySchema,
  ErrorSpec,
  HeaderSpec,
  RequestSpec,
  ResponseSpec,
  RouteDeclaration,
} from "./route.js"

/**
 * The OpenAPI 3.1 document, derived from the declarations: JSON Schema comes from each effect Schema
 * (`JSONSchema.fromAST`, target OpenAPI 3.1), schemas with an `identifier` land in
 * `components.schemas` and are referenced.
 */

type Json = Record<string, unknown>

export interface DocumentInfo {
  readonly title: string
  readonly version: string
  readonly description: string
}

const INFO: DocumentInfo = {
  title: "Settle reference server",
  version: "1",
  description:
    "Checkout, Stripe webhooks and the admin API of Settle's Koa reference server. Every refusal is `{ error: { code, message, details } }`; see docs/api.md for the conventions.",
}

/**
 * effect marks `unknown`, `any` and `{}` with an `$id` such as `/schemas/unknown`; repeated inside one
 * document those ids collide (and would rebase every `$ref` below them), so they are dropped.
 */
const withoutIds = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutIds)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "$id")
      .map(([key, inner]) => [key, withoutIds(inner)]),
  )
}

const schemaOf = (schema: AnySchema, definitions: Record<string, JSONSchema.JsonSchema7>): Json =>
  withoutIds(
    JSONSchema.fromAST(schema.ast, {
      definitions,
      definitionPath: "#/components/schemas/",
      target: "openApi3.1",
    }),
  ) as Json

const header = (spec: HeaderSpec, definitions: Record<string, JSONSchema.JsonSchema7>): Json => ({
  description: spec.description,
  ...(spec.required === true ? { required: true } : {}),
  schema: schemaOf(spec.schema ?? Schema.String, definitions),
})

const headers = (
  specs: Readonly<Record<string, HeaderSpec>> | undefined,
  definitions: Record<string, JSONSchema.JsonSchema7>,
): Json | undefined =>
  specs === undefined || Object.keys(specs).length === 0
    ? undefined
    : Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, header(spec, definitions)]))

/** Each field of a params/query Struct becomes a parameter; a field that may be absent is optional. */
const parametersOf = (
  where: "path" | "query",
  struct: AnySchema | undefined,
  definitions: Record<string, JSONSchema.JsonSchema7>,
): Array<Json> => {
  if (struct === undefined) return []
  const object = schemaOf(struct, definitions) as {
    properties?: Record<string, Json>
    required?: Array<string>
  }
  return Object.entries(object.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema
    return {
      name,
      in: where,
      required: where === "path" || (object.required ?? []).includes(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    }
  })
}

const requestBody = (spec: RequestSpec["body"], definitions: Record<string, JSONSchema.JsonSchema7>) => {
  if (spec === undefined) return undefined
  const media = spec.kind === "multipart" ? "multipart/form-data" : "application/json"
  return {
    required: true,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    content: { [media]: { schema: schemaOf(spec.schema, definitions) } },
  }
}

const success = (
  spec: ResponseSpec,
  extraHeaders: Readonly<Record<string, HeaderSpec>>,
  definitions: Record<string, JSONSchema.JsonSchema7>,
): Json => {
  const declared = spec.content ?? (spec.schema === undefined ? [] : "application/json")
  const media: ReadonlyArray<string> = typeof declared === "string" ? [declared] : declared
  const bodyOf = (type: string): Json =>
    type === "application/json" && spec.schema !== undefined
      ? schemaOf(spec.schema, definitions)
      : type === "text/plain" || type === "text/html"
        ? { type: "string" }
        : { type: "string", contentEncoding: "binary" }
  const content =
    media.length === 0 ? undefined : Object.fromEntries(media.map((type) => [type, { schema: bodyOf(type) }]))
  const allHeaders = headers({ ...spec.headers, ...extraHeaders }, definitions)
  return {
    description: spec.description,
    ...(allHeaders === undefined ? {} : { headers: allHeaders }),
    ...(content === undefined ? {} : { content }),
  }
}

const refusal = (spec: ErrorSpec, definitions: Record<string, JSONSchema.JsonSchema7>): Json => {
  const allHeaders = headers(spec.headers, definitions)
  return {
    description: `${spec.description}. Codes: ${spec.codes.join(", ")}`,
    // The `error.code` values this answer can carry; the test helpers hold every answer to them.
    "x-error-codes": [...spec.codes],
    ...(allHeaders === undefined ? {} : { headers: allHeaders }),
    content: {
      "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } },
      ...(spec.html === true ? { "text/html": { schema: { type: "string" } } } : {}),
    },
  }
}

/** Two specs for one status (a route's own and the framework's): one description, both code lists. */
const mergeErrors = (a: ErrorSpec | undefined, b: ErrorSpec): ErrorSpec =>
  a === undefined
    ? b
    : {
        description:
          a.description === b.description ? a.description : `${a.description}; or ${b.description}`,
        codes: [...new Set([...a.codes, ...b.codes])],
        headers: { ...a.headers, ...b.headers },
        html: a.html === true || b.html === true,
      }

/** The refusals a route can answer: its own plus the ones its body, auth and idempotency add. */
export const errorsOf = <D>(route: RouteDeclaration<D>): ReadonlyMap<number, ErrorSpec> => {
  const all = new Map<number, ErrorSpec>()
  const add = (specs: Readonly<Record<number, ErrorSpec>> | undefined) => {
    for (const [status, spec] of Object.entries(specs ?? {})) {
      all.set(Number(status), mergeErrors(all.get(Number(status)), spec))
    }
  }
  if (route.auth === "admin") add(ADMIN_AUTH_ERRORS)
  if (route.auth === "metrics") add(METRICS_AUTH_ERRORS)
  if (route.request?.body?.kind === "json") add(JSON_BODY_ERRORS)
  if (route.idempotent === true) add(IDEMPOTENCY_ERRORS)
  add(route.errors)
  add({ 500: INTERNAL_ERROR })
  return all
}

const security = (auth: RouteDeclaration<unknown>["auth"]) => {
  switch (auth) {
    case "admin":
      return [{ adminBearer: [] }]
    // Open unless METRICS_TOKEN is set: the empty requirement says "no credentials" is also accepted.
    case "metrics":
      return [{ metricsBearer: [] }, {}]
    case "none":
      return []
  }
}

const operation = <D>(
  route: RouteDeclaration<D>,
  definitions: Record<string, JSONSchema.JsonSchema7>,
): Json => {
  const requestHeaders: Array<Json> = Object.entries({
    ...route.request?.headers,
    ...(route.idempotent === true ? { "Idempotency-Key": IDEMPOTENCY_KEY_HEADER } : {}),
  }).map(([name, spec]) => ({
    name,
    in: "header",
    ...header(
      name === "Idempotency-Key"
        ? { ...spec, schema: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255)) }
        : spec,
      definitions,
    ),
    required: spec.required === true,
  }))
  const parameters = [
    ...parametersOf("path", route.request?.params, definitions),
    ...parametersOf("query", route.request?.query, definitions),
    ...requestHeaders,
  ]
  const replayed: Readonly<Record<string, HeaderSpec>> =
    route.idempotent === true ? { "Idempotent-Replayed": IDEMPOTENT_REPLAYED_HEADER } : {}
  const responses: Json = {}
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = success(spec, replayed, definitions)
  }
  for (const [status, spec] of [...errorsOf(route)].sort(([a], [b]) => a - b)) {
    responses[String(status)] = refusal(spec, definitions)
  }
  const body = requestBody(route.request?.body, definitions)
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [...route.tags],
    security: security(route.auth),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined ? {} : { requestBody: body }),
    responses,
  }
}

/** The OpenAPI 3.1 document for `declarations`, deterministic (paths and components sorted). */
export const openApiDocument = <D>(
  declarations: ReadonlyArray<RouteDeclaration<D>>,
  info: DocumentInfo = INFO,
) => {
  const definitions: Record<string, JSONSchema.JsonSchema7> = {}
  const errorBody = schemaOf(ErrorBody, definitions)
  const paths: Record<string, Record<string, Json>> = {}
  for (const route of declarations) {
    const item = paths[route.path] ?? {}
    paths[route.path] = item
    if (item[route.method] !== undefined)
      throw new Error(`two declarations for ${route.method} ${route.path}`)
    item[route.method] = operation(route, definitions)
  }
  const sorted = <V>(record: Record<string, V>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)))
  return {
    openapi: "3.1.0",
    info,
    paths: sorted(paths),
    components: {
      schemas: sorted(
        withoutIds({ ...definitions, ...("$ref" in errorBody ? {} : { ErrorBody: errorBody }) }) as Json,
      ),
      securitySchemes: {
        adminBearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An admin JWT (HS256 secret or RS256 via JWKS) with the admin role",
        },
        metricsBearer: {
          type: "http",
          scheme: "bearer",
          description: "METRICS_TOKEN; /metrics is open when it is not set",
        },
      },
    },
  }
}
