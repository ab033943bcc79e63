import { freshMongoDatabase } from "@settle/testkit"
import { Layer } from "effect"
import { inject } from "vitest"

/** The server the run's globalSetup gave us: FerretDB on loopback, or MONGO_URL. */
export const mongoUrl = (): string => inject("mongoUrl")
export const onFerretDB = (): boolean => inject("mongoServer") === "ferretdb"

/** A brand-new database with Settle's indexes on the run's server, dropped on release. */
export const freshDatabaseWith = (options: { readonly maxPoolSize: number }) =>
  Layer.suspend(() => freshMongoDatabase({ uri: mongoUrl(), maxPoolSize: options.maxPoolSize }))

export const freshDatabase = freshDatabaseWith({ maxPoolSize: 10 })
