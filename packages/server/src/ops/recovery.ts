import type { AuditRecord } from "@settle/domain"
import { Cause, Effect, Exit, Option } from "effect"
import { CommandFailure, type Report } from "./Command.js"
import { changeLines } from "./changes.js"
import { failureOf } from "./failures.js"
import type { Outcome } from "./rehearsal.js"

export const DRY_RUN_BANNER =
  "DRY RUN: rehearsed on an in-memory copy of the records involved; nothing was written."

export const auditLine = (record: AuditRecord, dryRun: boolean): string =>
  `${dryRun ? "Would record" : "Recorded"} audit ${record.action} by ${record.actor}: ${record.reason ?? ""}`

/**
 * A recovery step's report: what the use-case said, then every field it changed (or would change). A
 * failure exits 1 and still lists what changed before it, so an operator knows where the step stopped.
 */
export const recoveryReport = <A, E>(
  dryRun: boolean,
  outcome: Outcome<A, E>,
  summary: (value: A) => {
    readonly data: Readonly<Record<string, unknown>>
    readonly text: ReadonlyArray<string>
  },
): Report => {
  const changes = changeLines(outcome.changes)
  if (Exit.isFailure(outcome.exit)) {
    const error = Option.getOrUndefined(Cause.failureOption(outcome.exit.cause))
    const failure =
      error === undefined
        ? new CommandFailure("INTERNAL_ERROR", Cause.pretty(outcome.exit.cause))
        : failureOf(error)
    if (outcome.changes.length === 0 || !(failure instanceof CommandFailure)) throw failure
    throw new CommandFailure(
      failure.code,
      [
        failure.message,
        dryRun ? "It would have changed before failing:" : "Changed before the failure:",
        ...changes,
      ].join("\n"),
      { ...failure.details, changes: outcome.changes },
    )
  }
  const { data, text } = summary(outcome.exit.value)
  const heading =
    outcome.changes.length === 0
      ? [dryRun ? "It would change nothing." : "Nothing changed."]
      : [dryRun ? "It would change:" : "Changed:", ...changes]
  return {
    data: { dryRun, ...data, changes: outcome.changes },
    text: [...(dryRun ? [DRY_RUN_BANNER] : []), ...text, ...heading],
  }
}

/** `[ops.<command>]` lines for the log, annotated like the server's so they can be found by order or event. */
export const logStep = (command: string, message: string, annotations: Readonly<Record<string, unknown>>) =>
  Effect.logInfo(`[ops.${command}] ${message}`).pipe(Effect.annotateLogs(annotations))
