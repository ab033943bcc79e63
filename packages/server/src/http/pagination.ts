import { CURSOR_MESSAGE, CURSOR_PATTERN, DEFAULT_PAGE, MAX_PAGE, type Page, PageLimit } from "@settle/domain"
import { Effect, JSONSchema, Schema } from "effect"

/**
 * The list conventions every admin list shares: the query parameters `cursor` and `limit`, a query
 * schema that refuses an unknown or repeated parameter by name, and the answer `{ <plural>, nextCursor }`.
 *
 * A list with no filters of its own (products; coupons alike with listCouponsPage, couponView):
 *
 * ```ts
 * request: { query: PageQuery },
 * responses: { 200: { description: "One page, by sku", schema: pageAnswerSchema("products", ProductJson) } },
 * handler: (ctx, deps) =>
 *   respond(ctx, deps.runtime, Effect.flatMap(decodeInput(PageQuery)(ctx.query), listProductsPage), 200,
 *     (page) => pageAnswer("products", page, productView)),
 * ```
 */

/** `limit` as it arrives: the text of an integer from 1 to MAX_PAGE (default DEFAULT_PAGE). */
export const LimitParam = Schema.compose(Schema.NumberFromString, PageLimit).annotations({
  message: () => ({ message: `limit must be an integer from 1 to ${MAX_PAGE}`, override: true }),
  // Documented as the integer it is, though it arrives as text.
  jsonSchema: {
    type: "integer",
    minimum: 1,
    maximum: MAX_PAGE,
    default: DEFAULT_PAGE,
    description: `Page size, 1 to ${MAX_PAGE} (default ${DEFAULT_PAGE})`,
  },
})

/**
 * `cursor` as it arrives: opaque base64url text; the listing decodes the position it names, and
 * answers 422 UNKNOWN_CURSOR (`UNKNOWN_CURSOR_ERROR`) for one it did not issue.
 */
export const CursorParam = Schema.String.pipe(
  Schema.pattern(CURSOR_PATTERN, { message: () => CURSOR_MESSAGE }),
).annotations({
  message: () => ({ message: CURSOR_MESSAGE, override: true }),
  description: "The nextCursor of the previous page; omit it for the first page",
})

/** The refusal of a well-formed cursor the list did not issue, for every list's route declaration. */
export const UNKNOWN_CURSOR_ERROR = {
  422: {
    description: "`cursor` is well-formed but not a nextCursor this list returned (`UNKNOWN_CURSOR`)",
    codes: ["UNKNOWN_CURSOR"],
  },
} as const

/** The page parameters, the same on every list. */
export const PAGE_PARAMS = { cursor: CursorParam, limit: LimitParam } as const

/**
 * The JSON Schema of `schema` to document its wrapper with; none (a plain string) when it needs
 * shared definitions or has no JSON Schema form.
 */
const inlineJsonSchema = (schema: Schema.Schema.AnyNoContext): object | undefined => {
  try {
    // As the OpenAPI document derives it (http/contract/openapi.ts), shared definitions aside.
    const definitions: Record<string, JSONSchema.JsonSchema7> = {}
    const json = JSONSchema.fromAST(schema.ast, { definitions, target: "openApi3.1" })
    return Object.keys(definitions).length > 0 || "$ref" in json ? undefined : json
  } catch {
    return undefined
  }
}

/** One query parameter's schema: it decodes the text of one value (its encoded side is a string). */
type QueryField = Schema.Schema.AnyNoContext

type QueryFields = { readonly [name: string]: QueryField }

/**
 * A parameter given twice arrives as an array (Koa's `ctx.query`); refuse that as such, naming it,
 * before its own schema reads the value. Documented as the inner schema: the wrapper is invisible.
 */
const once = (name: string, schema: QueryField) => {
  const json = inlineJsonSchema(schema)
  const single = Schema.String.annotations({ message: () => `${name} must be given once` })
  return Schema.compose(single, schema, { strict: false }).annotations(
    json === undefined ? {} : { jsonSchema: json },
  )
}

type ListQueryFields<F extends QueryFields> = {
  readonly [K in keyof F]: Schema.optionalWith<F[K], { exact: true }>
}

/**
 * The query schema of a list: `cursor` and `limit`, then the list's own filters (each decoding the
 * text of one value), all optional. Decoded with `decodeInput`, an unknown parameter is refused by
 * name (excess property), a repeated one with "<name> must be given once".
 */
export const listQuery = <F extends QueryFields = Record<never, never>>(filters: F = {} as F) => {
  const fields: QueryFields = { ...filters, ...PAGE_PARAMS }
  const optional = Object.fromEntries(
    Object.entries(fields).map(([name, schema]) => [
      name,
      Schema.optionalWith(once(name, schema), { exact: true }),
    ]),
  )
  // The wrapper decodes to what the field does; its typed form is the field's own.
  return Schema.Struct(
    optional as unknown as ListQueryFields<Omit<F, keyof typeof PAGE_PARAMS> & typeof PAGE_PARAMS>,
  )
}

/** The query of a list with no filters of its own. */
export const PageQuery = listQuery()
export type PageQuery = typeof PageQuery.Type

/** A list's answer: its items under their plural name, and where the next page starts. */
export type PageAnswer<K extends string, V> = { readonly [P in K]: ReadonlyArray<V> } & {
  readonly nextCursor: string | null
}

/** `page` as answered, each item through `view`. */
export const pageAnswer = <K extends string, A, V>(
  plural: K,
  page: Page<A>,
  view: (item: A) => V,
): PageAnswer<K, V> =>
  ({ [plural]: page.items.map(view), nextCursor: page.nextCursor }) as unknown as PageAnswer<K, V>

/** The response schema of a list (for its route declaration and the OpenAPI document). */
export const pageAnswerSchema = <K extends string, A, I>(plural: K, item: Schema.Schema<A, I>) =>
  Schema.Struct({
    [plural]: Schema.Array(item),
    nextCursor: Schema.NullOr(Schema.String).annotations({
      description: "Pass as `cursor` for the next page; null on the last page",
    }),
  } as { readonly [P in K]: Schema.Array$<Schema.Schema<A, I>> } & {
    readonly nextCursor: Schema.NullOr<typeof Schema.String>
  })

/**
 * readPage's `read` over a short list already in memory (the jobs), in its given order: the items
 * after the one whose `key` property is `after`. Pass readPage a key schema that admits only existing
 * keys (a Literal of the names), so a cursor naming no item is refused rather than read as the start.
 */
export const readFromList =
  <A, P extends keyof A>(items: ReadonlyArray<A>, key: P) =>
  (after: A[P] | undefined, limit: number): Effect.Effect<ReadonlyArray<A>> =>
    Effect.succeed(
      items
        .slice(after === undefined ? 0 : items.findIndex((item) => item[key] === after) + 1)
        .slice(0, limit),
    )
