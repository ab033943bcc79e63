import { Cause, Effect, Exit, Option } from "effect"
import { redactCredentials } from "../config/bootstrapFailure.js"
import { problemFor } from "../http/errors.js"
import { CommandFailure, UsageError } from "./Command.js"

/** The option an operator typed for a use-case's input field, so bad input names what to fix. */
const OPTION_OF: Readonly<Record<string, string>> = {
  orderId: "--order",
  sessionId: "--session",
  stripeEventId: "--event",
  reason: "--reason",
  note: "--text",
  actor: "--actor",
}

const field = (error: object, name: string): string => {
  const value = (error as Record<string, unknown>)[name]
  if (value instanceof Date) return value.toISOString()
  return typeof value === "string" ? value : ""
}

/** What an operator reads: the failure's own words (the HTTP table hides causes; a shell must not). */
const messageOf = (tag: string, error: object): string => {
  switch (tag) {
    case "AlreadyFinalized":
      return `refused: order ${field(error, "orderId")} is already finalized (webhook.processedAt is set); the runbook allows retries only while webhook.processedAt is null`
    case "OrderNotFound":
      return `no order found for ${field(error, "key")}`
    case "EventNotFound":
      return `no event ${field(error, "stripeEventId")} in stripewebhookevents`
    case "IllegalTransition":
      if (field(error, "action") === "invoice_retry") {
        return `refused: the order's invoice is ${field(error, "from").replace(/^invoice\./, "")}; only a failed invoice is retried (the invoice job issues due ones)`
      }
      return ["accept_review", "refund_review"].includes(field(error, "action"))
        ? `refused: the order is ${field(error, "from")}, not payment_review; only a payment held for review is accepted or refunded this way`
        : `refused: cannot ${field(error, "action")} an order that is ${field(error, "from")}`
    case "CapacityGone":
      return `refused: accepting order ${field(error, "orderId")} would oversell: ${field(error, "resource")} has nothing left to hold; restock it and accept again, or refund the payment with review-refund`
    case "PaymentRefused":
      return `Stripe refused ${field(error, "operation")} (${field(error, "code")}): ${field(error, "message")}; nothing moved and any amount reserved for it is released; repeating gets the same answer`
    case "JobBusy":
      return `another run of the ${field(error, "job")} job holds its lease (${field(error, "holder") || "a replica"}, until ${field(error, "expiresAt") || "it finishes"}); try again once it has finished`
    case "JobFailed":
      return `the ${field(error, "job")} run failed: ${field(error, "error")}; what it did before failing is kept, and the next run carries on`
    default:
      return field(error, "message") || tag
  }
}

/** A use-case's typed failure as the CLI reports it: bad input is a usage error (exit 2), the rest exit 1. */
export const failureOf = (error: unknown): UsageError | CommandFailure => {
  if (error instanceof UsageError || error instanceof CommandFailure) return error
  if (typeof error !== "object" || error === null || !("_tag" in error) || typeof error._tag !== "string") {
    return new CommandFailure("INTERNAL_ERROR", String(error))
  }
  if (error._tag === "InvalidInput") {
    const name = field(error, "field")
    return new UsageError(`${OPTION_OF[name] ?? name}: ${field(error, "message")}`)
  }
  // Driver errors may quote the connection string with its password.
  const message = redactCredentials(messageOf(error._tag, error))
  return new CommandFailure(problemFor(error).code, message, { tag: error._tag })
}

/** Runs a fully provided program; its typed failure is thrown as a UsageError or CommandFailure. */
export const runEffect = async <A, E>(program: Effect.Effect<A, E>): Promise<A> => {
  const exit = await Effect.runPromiseExit(program)
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) throw failureOf(failure.value)
  throw new CommandFailure("INTERNAL_ERROR", redactCredentials(Cause.pretty(exit.cause)))
}
