import { inject } from "vitest"
import type { StoragePlan } from "../../src/bootstrap/layers.js"

/**
 * The one place the server's tests decide to accept a store whose conditional writes race. The server
 * refuses FerretDB unless ALLOW_NON_ATOMIC_STORE=true; the run's Mongo server may be FerretDB,
 * mongo-java-server or MONGO_URL's MongoDB, and only on FerretDB do the tests opt in, so a server that
 * starts on the others does so without the opt-in.
 */
export const onFerretDB = (): boolean => inject("mongoServer") === "ferretdb"

/** The opt-in variable, set only when the run's store is FerretDB. */
export const storeOptIn = (): Readonly<Record<string, string>> =>
  onFerretDB() ? { ALLOW_NON_ATOMIC_STORE: "true" } : {}

/** A server process's Mongo variables: the run's store (or `uri`) and the opt-in it needs. */
export const mongoEnv = (uri: string = inject("mongoUrl")): Readonly<Record<string, string>> => ({
  MONGO_URI: uri,
  ...storeOptIn(),
})

/** An in-process server's store: database `dbName` on the run's store, with the opt-in it needs. */
export const mongoPlan = (dbName: string, uri: string = inject("mongoUrl")): StoragePlan => ({
  _tag: "Mongo",
  uri,
  dbName,
  allowNonAtomicStore: onFerretDB(),
})
