import { randomBytes } from "node:crypto"
import { ensureIndexes, MongoDatabase } from "@settle/adapters/mongo"
import { Effect, Layer } from "effect"

export interface FreshDatabaseOptions {
  /** A MongoDB server (or wire-protocol peer) on loopback. */
  readonly uri: string
  readonly maxPoolSize?: number
  /** The units an owner document or place takes (MongoConfig.unitsPerPlace): small, to exercise places. */
  readonly unitsPerPlace?: number
}

/**
 * A connection to a brand-new database with Settle's indexes, dropped on release: each build of a
 * layer on top of it is an empty store, as the contract and property suites expect.
 */
export const freshMongoDatabase = (
  options: FreshDatabaseOptions,
): Layer.Layer<MongoDatabase.MongoDatabase, unknown> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      const dbName = `settle_t_${randomBytes(6).toString("hex")}`
      return Layer.scopedContext(
        Effect.gen(function* () {
          const context = yield* Layer.build(
            MongoDatabase.layer({
              uri: options.uri,
              dbName,
              maxPoolSize: options.maxPoolSize ?? 10,
              ...(options.unitsPerPlace !== undefined && { unitsPerPlace: options.unitsPerPlace }),
            }),
          )
          const { db } = yield* MongoDatabase.MongoDatabase.pipe(Effect.provide(context))
          yield* ensureIndexes(db)
          yield* Effect.addFinalizer(() => Effect.promise(() => db.dropDatabase()).pipe(Effect.ignore))
          return context
        }),
      )
    }),
  )
