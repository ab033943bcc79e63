import { randomBytes } from "node:crypto"
import { ensureIndexes, MongoDatabase, MongoStorage } from "@settle/adapters"
import type { StoragePorts } from "@settle/domain"
import { Context, Effect, Layer } from "effect"
import { inject } from "vitest"

/** A brand-new database on the run's FerretDB (or MONGO_URL), with the server's indexes. */
export const freshDatabase = () => {
  const uri = inject("mongoUrl")
  const dbName = `settle_ops_${randomBytes(6).toString("hex")}`
  const connection = MongoDatabase.layer({ uri, dbName, maxPoolSize: 4 })
  const database = Layer.tap(connection, (context) =>
    ensureIndexes(Context.get(context, MongoDatabase.MongoDatabase).db),
  )
  /** The CLI's environment for this database. */
  const env = { MONGO_URI: uri, MONGO_DB_NAME: dbName }
  const withDb = <A>(use: (db: MongoDatabase.MongoDatabase["db"]) => Promise<A>) =>
    Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(Layer.build(connection), (context) =>
          Effect.promise(() => use(Context.get(context, MongoDatabase.MongoDatabase).db)),
        ),
      ),
    )
  return {
    dbName,
    env,
    /** The Mongo storage ports over this database, creating its indexes: for seeding it, once. */
    storage: Layer.provide(MongoStorage.layer, database),
    /**
     * Reads the database through the domain's ports, as the server would see it. Without creating the
     * indexes again: FerretDB v1.24 drops the connection when createIndexes names several existing ones.
     */
    read: <A, E>(program: Effect.Effect<A, E, StoragePorts>) =>
      Effect.runPromise(Effect.provide(program, Layer.provide(MongoStorage.layer, connection))),
    /** Every document of every collection, by collection, in a stable order: "changed nothing" compares two. */
    dump: () =>
      withDb(async (db) => {
        const names = (await db.listCollections().toArray()).map((c) => c.name).sort()
        const all: Record<string, ReadonlyArray<unknown>> = {}
        for (const name of names) all[name] = await db.collection(name).find({}).sort({ _id: 1 }).toArray()
        return all
      }),
    drop: () => withDb((db) => db.dropDatabase()),
  }
}

export type TestDatabase = ReturnType<typeof freshDatabase>
