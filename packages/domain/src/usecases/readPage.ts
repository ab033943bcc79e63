import { Effect, Schema } from "effect"
import type { InvalidInput } from "../errors.js"
import {
  CURSOR_MESSAGE,
  DEFAULT_PAGE,
  type Page,
  PageLimit,
  type PageRequest,
  pageCursor,
  pageOf,
  positionOf,
  type UnknownCursor,
} from "../model/Page.js"
import { decodeInput } from "./decodeInput.js"

/**
 * One page of a listing kept in the order of a unique sort key K: `read` answers up to `limit` items
 * whose key is past `after` (all from the start without one), in that order; `keyOf` is an item's key
 * (after `read`, so the item type is inferred from the read). Keyset pages, not offsets:
 * an insert between two calls never shifts an item onto a second page or past the cursor.
 * A bad limit or a cursor that is not cursor-shaped is InvalidInput naming the field; a cursor-shaped
 * one naming no position of this listing is UnknownCursor; either before the store is read.
 */
export const readPage = <A, K, KI, E, R>(
  request: PageRequest,
  key: Schema.Schema<K, KI>,
  read: (after: K | undefined, limit: number) => Effect.Effect<ReadonlyArray<A>, E, R>,
  keyOf: (item: A) => K,
): Effect.Effect<Page<A>, InvalidInput | UnknownCursor | E, R> =>
  Effect.gen(function* () {
    const cursor = pageCursor(key)
    const decoded = yield* decodeInput(
      Schema.Struct({
        cursor: Schema.optional(Schema.String.annotations({ message: () => CURSOR_MESSAGE })),
        limit: Schema.optional(PageLimit),
      }),
    )(request)
    const after = decoded.cursor === undefined ? undefined : yield* positionOf(cursor)(decoded.cursor)
    const limit = decoded.limit ?? DEFAULT_PAGE
    const found = yield* read(after, limit + 1)
    return pageOf(found, limit, (last) => Schema.encodeSync(cursor)(keyOf(last)))
  })
