import { Context, type Effect } from "effect"
import type { StoreError } from "../errors.js"
import type { IdempotencyRecord, StoredAnswer } from "../model/IdempotencyKey.js"

export interface IdempotencyClaim {
  readonly scope: string
  readonly key: string
  readonly fingerprint: string
  /** A fresh id for this run: completing and releasing name it, so a run taken over cannot touch the key. */
  readonly owner: string
  /** The caller's clock, as for JobLeases: replicas' clocks must agree to well within the lease. */
  readonly now: Date
  /** How long an in-flight claim stands before it is taken to have crashed. */
  readonly leaseMs: number
  /** How long the key is remembered after this claim. */
  readonly ttlMs: number
}

/** The record a successful claim writes: in flight, owned by the claiming run, no answer yet. */
export const claimedRecord = (claim: IdempotencyClaim): IdempotencyRecord => ({
  scope: claim.scope,
  key: claim.key,
  fingerprint: claim.fingerprint,
  state: "in_flight",
  owner: claim.owner,
  answer: null,
  claimedAt: claim.now,
  expiresAt: new Date(claim.now.getTime() + claim.ttlMs),
})

/** Either this run now holds the key, or the live record that holds it (in flight or completed). */
export type ClaimOutcome =
  | { readonly _tag: "Claimed" }
  | { readonly _tag: "Held"; readonly record: IdempotencyRecord }

/**
 * Stripe-style idempotency keys: per scope and key, one run at a time and then its answer, for 24 h.
 * Every decision is one single-document atomic write (no transactions), so two replicas receiving the
 * same key at once agree on which of them runs.
 */
export interface IdempotencyKeys {
  /**
   * Take the key for `claim.owner` when no live record holds it (none, expired, or in flight since
   * longer than the lease); otherwise the record that holds it. Of concurrent claims exactly one wins.
   */
  readonly claim: (claim: IdempotencyClaim) => Effect.Effect<ClaimOutcome, StoreError>
  /** Keep `answer` for the key `owner` holds; false when it no longer holds it (taken over or expired). */
  readonly complete: (
    scope: string,
    key: string,
    owner: string,
    answer: StoredAnswer,
  ) => Effect.Effect<boolean, StoreError>
  /** Forget the key `owner` holds, so a retry runs again; a key it no longer holds is left alone. */
  readonly release: (scope: string, key: string, owner: string) => Effect.Effect<void, StoreError>
  /** The record for the key as stored, expired or not yet swept; null when there is none. */
  readonly find: (scope: string, key: string) => Effect.Effect<IdempotencyRecord | null, StoreError>
}

export const IdempotencyKeys = Context.GenericTag<IdempotencyKeys>("@settle/domain/IdempotencyKeys")
