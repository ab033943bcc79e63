import {
  type GatewayFailure,
  type Money,
  type OpenedSession,
  PaymentGateway,
  PaymentGatewayError,
  PaymentRefused,
  type RefundRequest,
  type SessionId,
  type SessionRequest,
  type SessionState,
} from "@settle/domain"
import { Context, Effect, Either, Layer } from "effect"
import { makeControl, SandboxControl } from "./SandboxControl.js"
import { makeStore, type SandboxIds, type SandboxStore, sequentialIds, takeRefund } from "./SandboxStore.js"

export { SandboxControl, type SandboxPayment, SandboxRefused } from "./SandboxControl.js"
export type { SandboxCapture, SandboxRefund, SandboxSession } from "./SandboxStore.js"

/** What Stripe answers with a 4xx: the sandbox refuses with Stripe's own code and status. */
const refuse = (
  operation: string,
  code: string,
  message: string,
  status = 400,
): Effect.Effect<never, GatewayFailure> =>
  Effect.fail(new PaymentRefused({ operation, code, status, message }))

const reusedKey = (operation: string, key: string) =>
  refuse(
    operation,
    "idempotency_error",
    `Keys for idempotent requests can only be used with the same parameters (${key})`,
  )

/** Stripe's code for each refund the sandbox's capture turns down. */
const refundRefusalCode = (message: string): string =>
  message.startsWith("No such")
    ? "resource_missing"
    : message.includes("greater than unrefunded")
      ? "amount_too_large"
      : "parameter_invalid_integer"

const sameMoney = (a: Money, b: Money): boolean => a.amount === b.amount && a.currency === b.currency

export interface SandboxOptions {
  /**
   * Where a customer pays a session. The default is an unreachable `.invalid` address, right for tests;
   * a server running on the sandbox points it at its own pay page.
   */
  readonly checkoutUrl?: (sessionId: SessionId) => string
  /** How session, payment, refund and event ids are made; random unless a test wants to name them. */
  readonly ids?: SandboxIds
}

const defaultCheckoutUrl = (sessionId: SessionId): string =>
  `https://checkout.sandbox.invalid/pay/${sessionId}`

/**
 * The "system" payment provider: Stripe's checkout semantics kept in memory so the whole flow runs
 * offline. Each operation is one synchronous block, hence atomic, as each Stripe write is.
 */
export const makeGateway = (store: SandboxStore, options: SandboxOptions = {}): PaymentGateway => {
  const checkoutUrl = options.checkoutUrl ?? defaultCheckoutUrl
  const outage = (operation: string): Effect.Effect<never, GatewayFailure> =>
    Effect.fail(
      new PaymentGatewayError({ message: `sandbox payment provider unavailable during ${operation}` }),
    )

  const openSession = (request: SessionRequest): Effect.Effect<OpenedSession, GatewayFailure> =>
    Effect.suspend(() => {
      if (store.failing) return outage("openSession")
      const knownId = store.sessionsByKey.get(request.idempotencyKey)
      const known = knownId === undefined ? undefined : store.sessions.get(knownId)
      if (known !== undefined) {
        // Stripe rejects a reused key whose parameters changed instead of answering for the old ones.
        return known.orderId === request.orderId && sameMoney(known.amount, request.amount)
          ? Effect.succeed({ sessionId: known.sessionId, url: known.url })
          : reusedKey("checkout.sessions.create", request.idempotencyKey)
      }
      const sessionId = store.sessionId()
      const url = checkoutUrl(sessionId)
      store.sessions.set(sessionId, {
        sessionId,
        orderId: request.orderId,
        amount: request.amount,
        expiresAt: request.expiresAt,
        status: "open",
        paymentStatus: "unpaid",
        paymentIntentId: null,
        url,
        idempotencyKey: request.idempotencyKey,
        asyncPayment: null,
      })
      store.sessionsByKey.set(request.idempotencyKey, sessionId)
      return Effect.succeed({ sessionId, url })
    })

  const retrieveSession = (sessionId: SessionId): Effect.Effect<SessionState, GatewayFailure> =>
    Effect.suspend(() => {
      if (store.failing) return outage("retrieveSession")
      const session = store.sessions.get(sessionId)
      if (session === undefined) {
        return refuse(
          "checkout.sessions.retrieve",
          "resource_missing",
          `No such checkout.session: '${sessionId}'`,
          404,
        )
      }
      const { status, paymentStatus, paymentIntentId, amount, orderId } = session
      return Effect.succeed({ sessionId, status, paymentStatus, paymentIntentId, amount, orderId })
    })

  const refund = (request: RefundRequest) =>
    Effect.suspend(() => {
      if (store.failing) return outage("refund")
      const previous = store.refundsByKey.get(request.idempotencyKey)
      if (previous !== undefined) {
        return previous.paymentIntentId === request.paymentIntentId &&
          sameMoney(previous.amount, request.amount)
          ? Effect.succeed({ refundId: previous.refundId, status: "succeeded" })
          : reusedKey("refunds.create", request.idempotencyKey)
      }
      return Either.match(
        takeRefund(store, request.paymentIntentId, request.amount, request.idempotencyKey),
        {
          onLeft: (message) => refuse("refunds.create", refundRefusalCode(message), message),
          onRight: (taken) => Effect.succeed({ refundId: taken.refundId, status: "succeeded" }),
        },
      )
    })

  return PaymentGateway.of({ openSession, retrieveSession, refund })
}

/** PaymentGateway and SandboxControl over one fresh in-memory provider. */
export const layerWith = (options: SandboxOptions = {}): Layer.Layer<PaymentGateway | SandboxControl> =>
  Layer.effectContext(
    Effect.sync(() => {
      const store = makeStore(options.ids)
      return Context.make(PaymentGateway, makeGateway(store, options)).pipe(
        Context.add(SandboxControl, makeControl(store)),
      )
    }),
  )

/** The sandbox with its default, unreachable checkout URLs and random ids. */
export const layer: Layer.Layer<PaymentGateway | SandboxControl> = layerWith()

/** The sandbox with ids numbered from 1 (`cs_sandbox_000001`, …) in each fresh layer: for tests. */
export const layerSequential: Layer.Layer<PaymentGateway | SandboxControl> = Layer.suspend(() =>
  layerWith({ ids: sequentialIds() }),
)
