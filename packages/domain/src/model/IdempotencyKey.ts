import { Schema } from "effect"

/** What a request was answered, kept so a retry with the same key gets the same answer. */
export const StoredAnswer = Schema.Struct({
  status: Schema.Int,
  /** The JSON body as sent (already through JSON, so a replay is byte-for-byte the same value). */
  body: Schema.Unknown,
  /** The headers worth replaying (Location), by lower-case name. */
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
})
export type StoredAnswer = typeof StoredAnswer.Type

/** One `Idempotency-Key` within its scope: who holds it, for which request, and its answer once done. */
export const IdempotencyRecord = Schema.Struct({
  /** The operation and who may use the key: `<operationId> admin:<actor>`, or `<operationId> shop`. */
  scope: Schema.String,
  key: Schema.String,
  /** sha-256 of the request (path and canonical JSON body): the same key for another request is refused. */
  fingerprint: Schema.String,
  state: Schema.Literal("in_flight", "completed"),
  /** The run that claimed the key; a claim taken over from a crashed run names the new one. */
  owner: Schema.String,
  /** Null while in flight. */
  answer: Schema.NullOr(StoredAnswer),
  /** When `owner` claimed the key: an in-flight claim older than the lease is taken to have crashed. */
  claimedAt: Schema.DateFromSelf,
  /** Past this the key is forgotten and may be used again (24 h after the claim). */
  expiresAt: Schema.DateFromSelf,
})
export type IdempotencyRecord = typeof IdempotencyRecord.Type

/** Whether `record` still holds its key at `now`: expired keys are forgotten, and so are crashed claims. */
export const holdsKey = (record: IdempotencyRecord, now: Date, leaseMs: number): boolean =>
  record.expiresAt.getTime() > now.getTime() &&
  (record.state === "completed" || record.claimedAt.getTime() + leaseMs > now.getTime())
