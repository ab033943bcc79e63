import { freshMongoDatabase } from "@settle/testkit"
import type { ServerRaceOptions } from "@settle/testkit/suites"
import { Layer } from "effect"
import { inject } from "vitest"
import type { MongoServerKind } from "./globalSetup.js"

/** The server the project's setup gave us: FerretDB or mongo-java-server on loopback, or MONGO_URL. */
export const mongoUrl = (): string => inject("mongoUrl")
export const mongoServer = (): MongoServerKind => inject("mongoServer")
export const onFerretDB = (): boolean => mongoServer() === "ferretdb"

const NAMES: Readonly<Record<MongoServerKind, string>> = {
  ferretdb: "FerretDB v1.24.2",
  "mongo-java-server": "mongo-java-server 1.47.0",
  external: "MongoDB (MONGO_URL)",
}

/** The server under test by name and version, for test titles. */
export const serverName = (): string => NAMES[mongoServer()]

/**
 * The contract suites' option: FerretDB v1 races conditional writes on one document
 * (ferretdbRaces.test.ts shows it with the bare driver), so there the concurrency tests assert only
 * what such a server keeps and their titles name it. mongo-java-server and MongoDB apply each write
 * atomically, and there every test is enforced in full with a plain title.
 */
export const serverRaces = (): ServerRaceOptions => ({
  serverRacesConditionalWrites: onFerretDB() ? `${serverName()} (FerretDB #3040)` : false,
})

/** The loopback servers: MongoDB itself (MONGO_URL) is the reference and never departs from its docs. */
export type LoopbackServer = Exclude<MongoServerKind, "external">

/**
 * Whether the server under test is one of those known to depart from a behaviour MongoDB documents.
 * Such a test asserts the documented behaviour on every other server, and pins what the departing
 * one does (so a fix there shows up as a failure), saying so in its title with `departureTitle`.
 */
export const departsHere = (departing: ReadonlyArray<LoopbackServer>): boolean =>
  departing.some((server) => server === mongoServer())

/** `title`, marked with the server's name when it departs from MongoDB's documented behaviour. */
export const departureTitle = (title: string, departing: ReadonlyArray<LoopbackServer>): string =>
  departsHere(departing) ? `${title} [${serverName()} departs from MongoDB's documented behaviour]` : title

/** A brand-new database with Settle's indexes on the run's server, dropped on release. */
export const freshDatabaseWith = (options: {
  readonly maxPoolSize: number
  readonly unitsPerPlace?: number
}) => Layer.suspend(() => freshMongoDatabase({ uri: mongoUrl(), ...options }))

export const freshDatabase = freshDatabaseWith({ maxPoolSize: 10 })
