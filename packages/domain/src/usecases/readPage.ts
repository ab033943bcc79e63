import { Effect, Schema } from "effect"
import type { InvalidInput } from "../errors.js"
import { DEFAULT_PAGE, type Page, PageLimit, type PageRequest, pageCursor, pageOf } from "../model/Page.js"
import { decodeInput } from "./decodeInput.js"

/**
 * One page of a listing kept in the order of a unique sort key K: `read` answers up to `limit` items
 * whose key is past `after` (all from the start without one), in that order; `keyOf` is an item's key
 * (after `read`, so the item type is inferred from the read). Keyset pages, not offsets:
 * an insert between two calls never shifts an item onto a second page or past the cursor.
 * A bad cursor or limit is InvalidInput naming the field, before the store is read.
 */
export const readPage = <A, K, KI, E, R>(
  request: PageRequest,
  key: Schema.Schema<K, KI>,
  read: (after: K | undefined, limit: number) => Effect.Effect<ReadonlyArray<A>, E, R>,
  keyOf: (item: A) => K,
): Effect.Effect<Page<A>, InvalidInput | E, R> =>
  Effect.gen(function* () {
    const cursor = pageCursor(key)
    const decoded = yield* decodeInput(
      Schema.Struct({ cursor: Schema.optional(cursor), limit: Schema.optional(PageLimit) }),
    )(request)
    const limit = decoded.limit ?? DEFAULT_PAGE
    const found = yield* read(decoded.cursor, limit + 1)
    return pageOf(found, limit, (last) => Schema.encodeSync(cursor)(keyOf(last)))
  })
