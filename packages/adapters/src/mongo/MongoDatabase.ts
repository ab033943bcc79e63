import { StoreError } from "@settle/domain"
import { Context, Effect, Layer } from "effect"
import { type Db, MongoClient, type MongoClientOptions } from "mongodb"
import { type ServerTraits, traitsOf } from "./serverTraits.js"

export interface MongoConfig {
  /** `mongodb://` or `mongodb+srv://` connection string. */
  readonly uri: string
  /** Database name; defaults to the one in the URI's path. */
  readonly dbName?: string
  readonly maxPoolSize?: number
  readonly serverSelectionTimeoutMS?: number
  readonly socketTimeoutMS?: number
  /**
   * The most units one coupon or product document (or place) carries, so the most holds it can have
   * (issue 13, places.ts); an owner created with more keeps them in places. Default 100.
   */
  readonly unitsPerPlace?: number
}

export const DEFAULT_UNITS_PER_PLACE = 100

/** One connected database for every Mongo adapter of a process. */
export interface MongoDatabase {
  readonly db: Db
  readonly client: MongoClient
  /** What answered on connect: the adapters pick the write forms that server gets right. */
  readonly traits: ServerTraits
  /**
   * How many units an owner document or place takes (MongoConfig.unitsPerPlace). Infinite where writes
   * race (FerretDB): the places' unique slots and a place's own counters need atomic writes, so there
   * an owner keeps all its units and holds in its own document.
   */
  readonly unitsPerPlace: number
}

export const MongoDatabase = Context.GenericTag<MongoDatabase>("@settle/adapters/MongoDatabase")

const clientOptions = (config: MongoConfig): MongoClientOptions => ({
  // Retryable writes make a write interrupted by a failover run once; servers without sessions
  // (FerretDB) simply ignore the option.
  retryWrites: true,
  retryReads: true,
  maxPoolSize: config.maxPoolSize ?? 20,
  serverSelectionTimeoutMS: config.serverSelectionTimeoutMS ?? 10_000,
  socketTimeoutMS: config.socketTimeoutMS ?? 30_000,
  connectTimeoutMS: 10_000,
})

/** Connect on build and close on release, so shutdown waits for the pool to drain. */
export const layer = (config: MongoConfig): Layer.Layer<MongoDatabase, StoreError> =>
  Layer.scoped(
    MongoDatabase,
    Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const client = new MongoClient(config.uri, clientOptions(config))
          await client.connect()
          const traits = traitsOf(await client.db().admin().command({ buildInfo: 1 }))
          const unitsPerPlace = traits.atomicConditionalWrites
            ? (config.unitsPerPlace ?? DEFAULT_UNITS_PER_PLACE)
            : Number.POSITIVE_INFINITY
          return { client, db: client.db(config.dbName), traits, unitsPerPlace }
        },
        catch: (cause) => new StoreError({ message: `[db] cannot connect: ${String(cause)}`, cause }),
      }),
      ({ client }) => Effect.promise(() => client.close()),
    ),
  )
