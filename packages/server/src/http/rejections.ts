import { Data } from "effect"

/**
 * Refusals the HTTP edge makes before a use-case runs. Like the domain errors they carry no status:
 * `errors.ts` maps every `_tag` in one table.
 */

/** The body is larger than the configured limit (Content-Length or the bytes actually read). */
export class PayloadTooLarge extends Data.TaggedError("PayloadTooLarge")<{ readonly limit: number }> {}

/** A body that is not `application/json`. */
export class UnsupportedMediaType extends Data.TaggedError("UnsupportedMediaType")<{
  readonly contentType: string
}> {}

/** The client went away before its body arrived; nobody reads the answer, but the request must end. */
export class RequestAborted extends Data.TaggedError("RequestAborted") {}

export class RouteNotFound extends Data.TaggedError("RouteNotFound")<{
  readonly method: string
  readonly path: string
}> {}

export class MethodNotAllowed extends Data.TaggedError("MethodNotAllowed")<{
  readonly method: string
  readonly allowed: ReadonlyArray<string>
}> {}

/** `GET /orders/:id` without the `X-Order-Token` header. */
export class OrderTokenRequired extends Data.TaggedError("OrderTokenRequired") {}

/** The store did not answer the readiness probe, or the process is draining for shutdown. */
export class NotReady extends Data.TaggedError("NotReady")<{ readonly reason: string }> {}

/** A failure that is no one's fault but ours: a defect or an interruption, logged and answered 500. */
export class Defect extends Data.TaggedError("Defect")<{ readonly detail: string }> {}

/** The sandbox could not get its signed event accepted by our own webhook endpoint. */
export class WebhookDeliveryFailed extends Data.TaggedError("WebhookDeliveryFailed")<{
  readonly eventId: string
  readonly status: number | null
  readonly attempts: number
  readonly response: unknown
}> {}

/** The sandbox pay page was asked for a session it never opened. */
export class SandboxSessionNotFound extends Data.TaggedError("SandboxSessionNotFound")<{
  readonly sessionId: string
}> {}
