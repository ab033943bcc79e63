import { claimedRecord, holdsKey, IdempotencyKeys, type IdempotencyRecord } from "@settle/domain"
import { Effect, Layer } from "effect"
import { compoundKey, copy } from "./Collection.js"
import { makeSortedList } from "./SortedList.js"

interface Expiry {
  readonly id: string
  readonly expiresAt: number
  /** Makes the order total, as the list needs: records expiring at one instant. */
  readonly seq: number
}

export const make: Effect.Effect<IdempotencyKeys> = Effect.sync(() => {
  // Each call reads and writes in one synchronous step: the memory twin of the store's atomic write.
  const records = new Map<string, { readonly record: IdempotencyRecord; readonly expiry: Expiry }>()
  // The TTL index's twin: records by expiry, so a sweep reads only the expired ones.
  const expiries = makeSortedList<Expiry>((a, b) => a.expiresAt - b.expiresAt || a.seq - b.seq)
  let seq = 0

  const sweep = (now: Date) => {
    const expired = [...expiries.range(undefined, (entry) => entry.expiresAt > now.getTime())]
    for (const entry of expired) {
      expiries.remove(entry)
      records.delete(entry.id)
    }
  }

  const put = (id: string, record: IdempotencyRecord) => {
    const previous = records.get(id)
    if (previous !== undefined) expiries.remove(previous.expiry)
    const expiry = { id, expiresAt: record.expiresAt.getTime(), seq: seq++ }
    expiries.insert(expiry)
    records.set(id, { record: copy(record), expiry })
  }

  const service: IdempotencyKeys = {
    claim: (claim) =>
      Effect.sync(() => {
        sweep(claim.now)
        const id = compoundKey(claim.scope, claim.key)
        const current = records.get(id)?.record
        if (current !== undefined && holdsKey(current, claim.now, claim.leaseMs)) {
          return { _tag: "Held", record: copy(current) } as const
        }
        put(id, claimedRecord(claim))
        return { _tag: "Claimed" } as const
      }),

    complete: (scope, key, owner, answer) =>
      Effect.sync(() => {
        const id = compoundKey(scope, key)
        const current = records.get(id)
        if (current === undefined || current.record.owner !== owner || current.record.state !== "in_flight") {
          return false
        }
        put(id, { ...current.record, state: "completed", answer })
        return true
      }),

    release: (scope, key, owner) =>
      Effect.sync(() => {
        const id = compoundKey(scope, key)
        const current = records.get(id)
        if (current === undefined || current.record.owner !== owner || current.record.state !== "in_flight") {
          return
        }
        expiries.remove(current.expiry)
        records.delete(id)
      }),

    find: (scope, key) =>
      Effect.sync(() => {
        const current = records.get(compoundKey(scope, key))
        return current === undefined ? null : copy(current.record)
      }),
  }
  return service
})

export const layer: Layer.Layer<IdempotencyKeys> = Layer.effect(IdempotencyKeys, make)
