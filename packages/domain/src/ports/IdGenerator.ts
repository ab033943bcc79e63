import { Context, type Effect } from "effect"

export interface IdGenerator {
  /** A new unique id, prefixed (`ord_…`, `led_…`); tests make these deterministic. */
  readonly next: (prefix: string) => Effect.Effect<string>
  /** An unguessable token (an order's access token). */
  readonly secret: Effect.Effect<string>
}

export const IdGenerator = Context.GenericTag<IdGenerator>("@settle/domain/IdGenerator")
