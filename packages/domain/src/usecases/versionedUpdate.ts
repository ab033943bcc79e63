import { Effect, Option } from "effect"
import { type StoreError, VersionConflict, WriteConflict } from "../errors.js"

/**
 * Lost races retried when the admin did not pin a version. Every hold, commit and release bumps a
 * product's or coupon's version, so a busy one can lose a few rounds to checkouts; none of those
 * touch the fields an admin edits, so re-reading and re-applying is safe.
 */
const ATTEMPTS = 5

interface Versioned {
  readonly version: number
}

export interface VersionedUpdate<T extends Versioned, C, E, R> {
  /** Collection name, for the errors. */
  readonly entity: string
  readonly id: string
  /** The current record; fails when it does not exist. */
  readonly load: Effect.Effect<T, E, R>
  /** The version the admin read, if they pinned one. */
  readonly expectedVersion: number | undefined
  /** The changes that would turn `current` into what the admin asked for; null when there are none. */
  readonly plan: (current: T) => C | null
  /** One conditional write: applied only while the record is still at `version`. */
  readonly write: (version: number, changes: C) => Effect.Effect<Option.Option<T>, StoreError, R>
}

/** What happened: `changed` is false when the record already was as asked (nothing written, nothing to audit). */
export interface UpdateOutcome<T> {
  readonly before: T
  readonly after: T
  readonly changed: boolean
}

/** Read, plan, conditionally write; a pinned version that no longer matches is a VersionConflict. */
export const updateVersioned = <T extends Versioned, C, E, R>(
  update: VersionedUpdate<T, C, E, R>,
): Effect.Effect<UpdateOutcome<T>, E | StoreError | VersionConflict | WriteConflict, R> =>
  Effect.gen(function* () {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = yield* update.load
      // A lost race with a pinned version lands here on the next round, since the version moved.
      if (update.expectedVersion !== undefined && current.version !== update.expectedVersion) {
        return yield* new VersionConflict({
          entity: update.entity,
          id: update.id,
          expectedVersion: update.expectedVersion,
          actualVersion: current.version,
        })
      }
      const changes = update.plan(current)
      if (changes === null) return { before: current, after: current, changed: false }
      const written = yield* update.write(current.version, changes)
      if (Option.isSome(written)) return { before: current, after: written.value, changed: true }
    }
    return yield* new WriteConflict({ entity: update.entity, id: update.id })
  })
