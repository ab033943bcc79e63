import { StoreError } from "@settle/domain"
import { Effect } from "effect"
import type { Db, Document } from "mongodb"

/** What the server behind a connection is, as far as the Mongo adapters' writes care. */
export interface ServerTraits {
  /** Who answered and the version it reports, for messages: "FerretDB v1.24.2", "MongoDB 7.0.14". */
  readonly name: string
  readonly ferretdb: boolean
  /**
   * Whether a conditional single-document write (a filter and an update, as every hold, claim and
   * transition of the adapters is) is applied in one step: of concurrent writes whose filter held
   * before any of them ran, only those it still holds for succeed. Stock, coupon capacity and
   * exactly-once finalization rest on it.
   */
  readonly atomicConditionalWrites: boolean
}

/**
 * FerretDB answers `buildInfo` with the MongoDB version it emulates (v1.24.2 says "7.0.42") and adds
 * its own `ferretdbVersion` (and `ferretdbFeatures`); MongoDB and other servers (mongo-java-server
 * says "6.0.0") have neither. FerretDB v1 evaluates an update's filter on a read and writes the
 * document back with nothing in between (FerretDB #3040; ferretdbRaces.test.ts shows it with the bare
 * driver). No release is known to have fixed that, so every FerretDB is taken to race until one is
 * shown not to.
 */
export const traitsOf = (buildInfo: Document): ServerTraits => {
  const reported = (field: unknown) => (typeof field === "string" ? field : "(version not reported)")
  if (buildInfo.ferretdbVersion !== undefined || buildInfo.ferretdbFeatures !== undefined) {
    return {
      name: `FerretDB ${reported(buildInfo.ferretdbVersion)}`,
      ferretdb: true,
      atomicConditionalWrites: false,
    }
  }
  return { name: `MongoDB ${reported(buildInfo.version)}`, ferretdb: false, atomicConditionalWrites: true }
}

/** Asks the connected server what it is: one `buildInfo`, which every server answers without auth roles. */
export const serverTraits = (db: Db): Effect.Effect<ServerTraits, StoreError> =>
  Effect.tryPromise({
    try: () => db.admin().command({ buildInfo: 1 }),
    catch: (cause) => new StoreError({ message: `[db] buildInfo failed: ${String(cause)}`, cause }),
  }).pipe(Effect.map(traitsOf))
