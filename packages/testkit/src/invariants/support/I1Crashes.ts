import { SandboxControl } from "@settle/adapters"
import {
  Clock,
  expireReservations,
  handlePaymentEvent,
  OrderRepository,
  type PaymentSucceeded,
  WebhookEventInbox,
} from "@settle/domain"
import { Effect, Either, Layer, type ManagedRuntime, Option } from "effect"
import { expect } from "vitest"
import { ClockControl } from "../../fakes/ControlledClock.js"
import { arm, callLog, disarm, type FaultPlan, planLayer, withFaults } from "../../faults/FaultInjection.js"
import { crashablePorts, type StoragePorts } from "../../world.js"
import { expectFinalizedOnce, expectSettledForGood, readBooks } from "./I1Books.js"
import {
  allowedRefusal,
  describePlan,
  finalizesAlone,
  type RecoveryPlan,
  recover,
  type Stuck,
} from "./I1Recovery.js"
import { type TalliedServices, talliedWorld } from "./I1Tally.js"
import { openCheckout, type Shop, usingRuntime } from "./scenario.js"

type Faulty<E> = ManagedRuntime.ManagedRuntime<TalliedServices | FaultPlan, E>

/** The world with every store, gateway and invoice call counted against one FaultPlan, unarmed. */
export const faultyWorld = <E>(storage: Layer.Layer<StoragePorts, E>) =>
  Layer.provideMerge(withFaults(talliedWorld(storage), crashablePorts), planLayer())

/** A minute past the reservation's expiry: the expiry job takes the order's stock and coupon back. */
const letExpire = (expiresAt: Date) =>
  Effect.gen(function* () {
    const now = yield* (yield* Clock).now
    const due = expiresAt.getTime() + 60_000
    if (now.getTime() < due) yield* (yield* ClockControl).set(new Date(due))
    yield* expireReservations()
  })

/**
 * Checkout and payment, no fault armed; `late`: the reservation expired locally before the payment
 * event arrives, so finalization goes through reviveOrder.
 */
const scene = (shop: Shop, late: boolean) =>
  Effect.gen(function* () {
    const { order, sessionId } = yield* openCheckout(shop)
    const event = yield* (yield* SandboxControl).pay(sessionId)
    if (late) yield* letExpire(order.expiresAt)
    return { order, event }
  })

/** `<Port>.<method>` of each port call a clean delivery makes in the scene: crash point k is log[k-1]. */
export const cleanDeliveryCalls = <E>(storage: Layer.Layer<StoragePorts, E>, shop: Shop, late: boolean) =>
  usingRuntime(faultyWorld(storage), async (runtime) => {
    const { order, event } = await runtime.runPromise(scene(shop, late))
    const log = await runtime.runPromise(
      Effect.gen(function* () {
        yield* arm(null)
        yield* handlePaymentEvent(event)
        return yield* callLog
      }),
    )
    expectFinalizedOnce(shop, await runtime.runPromise(readBooks(shop, order.id)))
    return log
  })

const stuckState = <E>(runtime: Faulty<E>, event: PaymentSucceeded) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const order = yield* (yield* OrderRepository).findBySessionId(event.sessionId)
      const record = yield* (yield* WebhookEventInbox).find(event.eventId)
      const found = Option.getOrThrow(order)
      return {
        status: found.status,
        finalized: found.webhook.processedAt !== null,
        recorded: Option.isSome(record),
      } satisfies Stuck
    }),
  )

const outcomeTag = (outcome: Either.Either<unknown, { readonly _tag: string }>): string =>
  Either.isLeft(outcome) ? outcome.left._tag : "succeeded"

/** Prefix a failed assertion with the crash point and plan, so a counterexample reads on its own. */
const explained = async (context: string, run: () => Promise<void>): Promise<void> => {
  try {
    await run()
  } catch (error) {
    if (error instanceof Error) error.message = `[${context}] ${error.message}`
    throw error
  }
}

/**
 * One crash run from scratch: the delivery crashes at its port call k (k = log.length + 1 runs clean),
 * the plan recovers, and whatever path got there, I1's facts hold and stay put.
 */
export const crashThenRecover = <E>(
  storage: Layer.Layer<StoragePorts, E>,
  shop: Shop,
  late: boolean,
  log: ReadonlyArray<string>,
  k: number,
  plan: RecoveryPlan,
) =>
  explained(
    `late=${late}, crash at k=${k} (${log[k - 1] ?? "none: beyond the last call"}), recovery: ${describePlan(plan)}`,
    () =>
      usingRuntime(faultyWorld(storage), async (runtime) => {
        const { order, event } = await runtime.runPromise(scene(shop, late))
        const crashed = await runtime.runPromise(
          Effect.gen(function* () {
            yield* arm(k)
            const outcome = yield* Effect.either(handlePaymentEvent(event))
            yield* disarm
            return outcome
          }),
        )
        // A crash is never swallowed: the webhook answers 5xx, so Stripe will retry.
        if (k <= log.length) {
          expect(Either.isLeft(crashed) ? crashed.left.message : "acknowledged").toContain(
            `injected crash at call ${k} `,
          )
        } else {
          expect(outcomeTag(crashed), "the delivery without a crash").toBe("succeeded")
        }
        if (plan.expiryJob) await runtime.runPromise(letExpire(order.expiresAt))
        if (plan.crashed !== null) {
          const { recovery, at } = plan.crashed
          await runtime.runPromise(
            Effect.gen(function* () {
              yield* arm(at)
              yield* Effect.either(recover(recovery, event))
              yield* disarm
            }),
          )
        }
        const stuck = await stuckState(runtime, event)
        const recovered = await runtime.runPromise(Effect.either(recover(plan.recovery, event)))
        expect(outcomeTag(recovered), `${plan.recovery} from ${JSON.stringify(stuck)}`).toBe(
          Either.isLeft(recovered) ? (allowedRefusal(plan.recovery, stuck) ?? "succeeded") : "succeeded",
        )
        if (!finalizesAlone(plan.recovery, stuck)) {
          // Nothing acknowledged the event yet, so Stripe keeps retrying it (for up to 3 days).
          await runtime.runPromise(handlePaymentEvent(event))
        }
        expectFinalizedOnce(shop, await runtime.runPromise(readBooks(shop, order.id)))
        await expectSettledForGood(runtime, shop, order.id, event)
      }),
  )
