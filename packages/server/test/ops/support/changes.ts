import { AuditLog, type AuditRecord } from "@settle/domain"
import { Effect } from "effect"
import type { TestDatabase } from "./store.js"

interface Change {
  readonly record: string
  readonly field: string
  readonly before: unknown
  readonly after: unknown
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/**
 * A `--json` report's changes with the instants the run itself wrote blanked: a dry run and the real
 * run after it write the same fields, only a few milliseconds apart.
 */
export const comparable = (changes: unknown): ReadonlyArray<Change> =>
  (changes as ReadonlyArray<Change>).map((change) => ({
    ...change,
    after: typeof change.after === "string" && ISO_INSTANT.test(change.after) ? "<instant>" : change.after,
  }))

/** The audit log as the admin API reads it, oldest first. */
export const auditTrail = (database: TestDatabase): Promise<ReadonlyArray<AuditRecord>> =>
  database.read(
    Effect.map(
      Effect.flatMap(AuditLog, (log) => log.recent(1000)),
      (records) => [...records].sort((a, b) => a.at.getTime() - b.at.getTime()),
    ),
  )
