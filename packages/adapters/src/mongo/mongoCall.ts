import { DuplicateKey, StoreError } from "@settle/domain"
import { Effect } from "effect"
import { MongoServerError } from "mongodb"

/** Run one driver call; a unique-index violation (11000) becomes the domain's DuplicateKey. */
export const mongoCall = <A>(collection: string, what: string, call: () => Promise<A>) =>
  Effect.tryPromise({
    try: call,
    catch: (cause) =>
      cause instanceof MongoServerError && cause.code === 11000
        ? new DuplicateKey({ entity: collection, key: JSON.stringify(cause.keyValue ?? {}) })
        : new StoreError({ message: `[db] ${collection}.${what} failed: ${String(cause)}`, cause }),
  })

/** The same, for calls that cannot hit a unique index: only StoreError can come out. */
export const mongoRead = <A>(collection: string, what: string, call: () => Promise<A>) =>
  mongoCall(collection, what, call).pipe(
    Effect.catchTag("DuplicateKey", (error) =>
      Effect.fail(new StoreError({ message: `[db] ${collection}.${what}: unexpected ${error.key}` })),
    ),
  )
