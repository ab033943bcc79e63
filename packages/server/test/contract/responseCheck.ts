import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { routeDeclarations } from "../../src/http/contract/declarations.js"
import { openApiDocument } from "../../src/http/contract/openapi.js"

/**
 * Every answer a test receives is checked against the OpenAPI document: it must be an answer its
 * operation documents (status, media type) and its JSON body must match the documented schema.
 */

type Json = Record<string, unknown>
interface Operation {
  readonly operationId: string
  readonly responses: Record<string, { content?: Record<string, unknown>; "x-error-codes"?: Array<string> }>
}

const DOCUMENT_ID = "https://settle.invalid/openapi.json"
const document = openApiDocument(routeDeclarations)
const paths = document.paths as unknown as Record<string, Record<string, Operation>>

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
addFormats.default(ajv)
ajv.addSchema({ ...document, $id: DOCUMENT_ID } as unknown as Json)

const pointer = (...parts: ReadonlyArray<string>): string =>
  parts.map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")

const compiled = new Map<string, ValidateFunction>()
const validatorFor = (ref: string): ValidateFunction => {
  const known = compiled.get(ref)
  if (known !== undefined) return known
  const made = ajv.compile({ $ref: `${DOCUMENT_ID}#/${ref}` })
  compiled.set(ref, made)
  return made
}

const templates = Object.keys(paths).map((template) => ({
  template,
  params: (template.match(/\{/g) ?? []).length,
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
}))

/** The document's path template for `path`, the most literal one when several match. */
const templateOf = (path: string): string | null =>
  templates.filter((t) => t.pattern.test(path)).sort((a, b) => a.params - b.params)[0]?.template ?? null

const mediaMatches = (documented: string, actual: string): boolean =>
  documented === actual || (documented.endsWith("/*") && actual.startsWith(documented.slice(0, -1)))

const describeErrors = (validate: ValidateFunction): string =>
  (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (error) => `${error.instancePath || "(root)"} ${error.message ?? ""} ${JSON.stringify(error.params)}`,
    )
    .join("; ")

const short = (body: unknown): string => {
  const text = typeof body === "string" ? body : JSON.stringify(body)
  return text.length > 400 ? `${text.slice(0, 400)}…` : text
}

/**
 * Throws when the answer breaks the document. `body` is the parsed JSON, or the text when the answer
 * was not JSON. HEAD and OPTIONS (CORS preflight) carry no documented body and are not checked.
 */
export const checkAnswer = (
  method: string,
  url: string,
  answer: { readonly status: number; readonly headers: Headers; readonly body: unknown },
): void => {
  const verb = method.toLowerCase()
  if (verb === "head" || verb === "options") return
  const path = new URL(url).pathname
  const template = templateOf(path)
  const where = `${method.toUpperCase()} ${path}`
  const operation = template === null ? undefined : paths[template]?.[verb]
  const mediaType = (answer.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? ""
  if (operation === undefined) {
    // No operation: the router's own 404 (unknown path) or 405 (known path, other method).
    const expected = template === null ? 404 : 405
    if (answer.status !== expected) {
      throw new Error(`${where} has no operation in the OpenAPI document, yet answered ${answer.status}`)
    }
    const validate = validatorFor(pointer("components", "schemas", "ErrorBody"))
    if (!validate(answer.body)) {
      throw new Error(
        `${where} answered ${answer.status} without the error body: ${describeErrors(validate)}`,
      )
    }
    return
  }
  const name = `${where} (${operation.operationId})`
  const documented = operation.responses[String(answer.status)]
  if (documented === undefined) {
    throw new Error(
      `${name} answered ${answer.status}, which the OpenAPI document does not list (documented: ${Object.keys(operation.responses).join(", ")}); body: ${short(answer.body)}`,
    )
  }
  const content = documented.content
  if (content === undefined) return
  const media = Object.keys(content).find((candidate) => mediaMatches(candidate, mediaType))
  if (media === undefined) {
    throw new Error(
      `${name} answered ${answer.status} as ${mediaType || "(no content type)"}; the document lists ${Object.keys(content).join(", ")}`,
    )
  }
  if (media !== "application/json") return
  const validate = validatorFor(
    pointer("paths", template ?? "", verb, "responses", String(answer.status), "content", media, "schema"),
  )
  if (!validate(answer.body)) {
    throw new Error(
      `${name} answered ${answer.status} with a body that breaks its schema: ${describeErrors(validate)}; body: ${short(answer.body)}`,
    )
  }
  const codes = documented["x-error-codes"]
  const code = (answer.body as { error?: { code?: unknown } }).error?.code
  if (codes !== undefined && !codes.includes(String(code))) {
    throw new Error(
      `${name} answered ${answer.status} ${String(code)}, a code the document does not list for it (${codes.join(", ")})`,
    )
  }
}
