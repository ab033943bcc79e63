import type { MongoServerTraits } from "@settle/adapters"
import { Context, Data, Effect } from "effect"
import type { Logger } from "pino"

type ServerTraits = MongoServerTraits.ServerTraits

/** The variable that lets the server start on a store whose conditional writes race. */
export const OPT_IN = "ALLOW_NON_ATOMIC_STORE"

/** What the connected store is; in the runtime's context only on MongoDB, for the banner and tests. */
export class StoreTraits extends Context.Tag("@settle/server/StoreTraits")<StoreTraits, ServerTraits>() {}

// Stock holds and coupon capacity are one conditional write each: when two race on such a server,
// both see the condition hold and both succeed.
export const risk = (traits: ServerTraits): string =>
  `${traits.name} does not apply conditional writes atomically (FerretDB #3040), so concurrent checkouts can oversell stock and redeem a coupon past its limit`

export const WAYS_OUT = `point MONGO_URI at MongoDB (Atlas or a replica set), or set ${OPT_IN}=true to run on it anyway (tests and demos, never real orders)`

/** Why the server refuses the store, and the two ways out. */
export const refusal = (traits: ServerTraits): string => `${risk(traits)}; ${WAYS_OUT}`

/** What an operator who opted in must still hear, at warn level and in the banner. */
export const warning = (traits: ServerTraits): string =>
  `${risk(traits)}; running anyway because ${OPT_IN}=true: take no real orders on this store`

/** The store's writes race and nobody said that is fine: the bootstrap stops here. */
export class NonAtomicStore extends Data.TaggedError("NonAtomicStore")<{ readonly message: string }> {}

/**
 * Lets the server go on with a store it can trust, or one it was told to accept (with a warning in the
 * log); refuses any other before an index is created or a request served.
 */
export const admitStore = (
  traits: ServerTraits,
  allowNonAtomic: boolean,
  logger: Logger,
): Effect.Effect<void, NonAtomicStore> => {
  if (traits.atomicConditionalWrites) return Effect.void
  if (!allowNonAtomic) return Effect.fail(new NonAtomicStore({ message: refusal(traits) }))
  return Effect.sync(() =>
    logger.warn(
      { store: traits.name, atomicConditionalWrites: false, optIn: OPT_IN },
      `[db] ${warning(traits)}`,
    ),
  )
}
