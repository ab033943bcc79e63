import { randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { inject } from "vitest"
import { ensureIndexes } from "../../src/mongo/indexes.js"
import * as MongoDatabase from "../../src/mongo/MongoDatabase.js"

/** The server the run's globalSetup gave us: FerretDB on loopback, or MONGO_URL. */
export const mongoUrl = (): string => inject("mongoUrl")
export const onFerretDB = (): boolean => inject("mongoServer") === "ferretdb"

/**
 * A connection to a brand-new database with Settle's indexes, dropped on release: each build of a
 * layer on top of it is an empty store, as the contract and property suites expect.
 */
export const freshDatabaseWith = (options: {
  readonly maxPoolSize: number
}): Layer.Layer<MongoDatabase.MongoDatabase, unknown> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      const dbName = `settle_t_${randomBytes(6).toString("hex")}`
      return Layer.scopedContext(
        Effect.gen(function* () {
          const context = yield* Layer.build(
            MongoDatabase.layer({ uri: mongoUrl(), dbName, maxPoolSize: options.maxPoolSize }),
          )
          const { db } = yield* MongoDatabase.MongoDatabase.pipe(Effect.provide(context))
          yield* ensureIndexes(db)
          yield* Effect.addFinalizer(() => Effect.promise(() => db.dropDatabase()).pipe(Effect.ignore))
          return context
        }),
      )
    }),
  )

export const freshDatabase = freshDatabaseWith({ maxPoolSize: 10 })
