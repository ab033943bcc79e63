import { Effect, Schema } from "effect"
import { InvalidInput } from "../errors.js"

/** Largest page a listing serves; a bigger `limit` is refused, not silently cut. */
export const MAX_PAGE = 100
/** The page size when the caller names none. */
export const DEFAULT_PAGE = 50

/** A page size: an integer from 1 to MAX_PAGE; any other value gets this one message. */
export const PageLimit = Schema.Int.pipe(Schema.between(1, MAX_PAGE)).annotations({
  message: () => ({ message: `limit must be an integer from 1 to ${MAX_PAGE}`, override: true }),
})

export const CURSOR_MESSAGE = "cursor must be a nextCursor this endpoint returned"

/** What every cursor looks like: base64url text, at most 1024 characters. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,1024}$/

/**
 * A cursor shaped like one but naming no position of this listing (forged, cut, or another
 * listing's). Not InvalidInput: no description of the parameter can tell it from a real one.
 */
export class UnknownCursor extends Schema.TaggedError<UnknownCursor>()("UnknownCursor", {
  message: Schema.String,
}) {}

/**
 * A page position, opaque to callers: base64url of the JSON of `position` (the sort key of the last
 * item served). Anything that is not such a string is refused with one message naming its origin.
 */
export const pageCursor = <A, I>(position: Schema.Schema<A, I>) =>
  Schema.compose(Schema.StringFromBase64Url, Schema.parseJson(position)).annotations({
    message: () => ({ message: CURSOR_MESSAGE, override: true }),
  })

/**
 * The position `cursor` names: InvalidInput (field `cursor`) when it is not cursor-shaped text,
 * UnknownCursor when it is but names no position of `cursor`'s listing.
 */
export const positionOf =
  <A>(cursor: Schema.Schema<A, string>) =>
  (text: string): Effect.Effect<A, InvalidInput | UnknownCursor> =>
    CURSOR_PATTERN.test(text)
      ? Effect.mapError(Schema.decode(cursor)(text), () => new UnknownCursor({ message: CURSOR_MESSAGE }))
      : Effect.fail(new InvalidInput({ field: "cursor", message: CURSOR_MESSAGE }))

/** What a caller asks of a listing: where to go on from (a previous `nextCursor`) and how many. */
export interface PageRequest {
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

/** One page of a listing, in its stable order. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null
}

/**
 * The page from what a store read with `limit + 1`: the extra item only says another page exists,
 * so the cursor points after the last item served, never after the extra one.
 */
export const pageOf = <A>(
  found: ReadonlyArray<A>,
  limit: number,
  cursorAfter: (last: A) => string,
): Page<A> => {
  const items = found.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: found.length > limit && last !== undefined ? cursorAfter(last) : null }
}
