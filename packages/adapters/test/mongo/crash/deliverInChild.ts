/**
 * One webhook delivery in its own process, against a Mongo database. With SETTLE_KILL_AT=k the process
 * SIGKILLs itself right before its k-th storage call: a crash mid-finalization, with no chance to
 * clean up. SETTLE_RECOVERY=replay recovers the way an operator would (replay by event id), else the
 * event is delivered again, as Stripe's retry would. Prints {"calls":n,"outcome":"…"} on success.
 */
import {
  AuditLog,
  CouponRepository,
  CouponReservationRepository,
  handlePaymentEvent,
  Ledger,
  MediaAssetRepository,
  OrderRepository,
  PaymentEvent,
  ProductCatalog,
  replayFinalization,
  WebhookEventInbox,
} from "@settle/domain"
import { aroundCalls, MemoryMetrics, portRewrite, rewriteLayer, SandboxPaymentGateway } from "@settle/testkit"
import { Effect, Layer, Schema } from "effect"
import * as MongoDatabase from "../../../src/mongo/MongoDatabase.js"
import * as MongoStorage from "../../../src/mongo/MongoStorage.js"
import * as RandomIds from "../../../src/system/RandomIds.js"
import * as SystemClock from "../../../src/system/SystemClock.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is required`)
  return value
}

const killAt = Number(process.env.SETTLE_KILL_AT ?? "0")
let calls = 0
const dieBeforeKth = <S extends object>(service: S): S =>
  aroundCalls(service, (_method, call) =>
    Effect.suspend(() => {
      calls++
      if (calls === killAt) process.kill(process.pid, "SIGKILL")
      return call
    }),
  )

const ports = [
  portRewrite(OrderRepository, dieBeforeKth),
  portRewrite(ProductCatalog, dieBeforeKth),
  portRewrite(CouponRepository, dieBeforeKth),
  portRewrite(CouponReservationRepository, dieBeforeKth),
  portRewrite(WebhookEventInbox, dieBeforeKth),
  portRewrite(Ledger, dieBeforeKth),
  portRewrite(AuditLog, dieBeforeKth),
  portRewrite(MediaAssetRepository, dieBeforeKth),
]

const storage = rewriteLayer(MongoStorage.layer, Effect.void, ports).pipe(
  Layer.provide(MongoDatabase.layer({ uri: env("MONGO_URL"), dbName: env("SETTLE_DB"), maxPoolSize: 4 })),
)

const event = Schema.decodeUnknownSync(PaymentEvent)(JSON.parse(env("SETTLE_EVENT")))
const deliver = handlePaymentEvent(event).pipe(Effect.map((outcome) => outcome._tag))
const program =
  process.env.SETTLE_RECOVERY === "replay"
    ? replayFinalization({
        stripeEventId: event.eventId,
        actor: "oncall@shop",
        reason: "runbook 1: replay",
      }).pipe(
        Effect.map((replayed) => replayed.result),
        // Nothing to replay when the crash came before the event was recorded, or after the order was
        // finalized but before the event was marked: the runbook's first step, Stripe's resend, is the way.
        Effect.catchTags({ EventNotFound: () => deliver, AlreadyFinalized: () => deliver }),
      )
    : deliver

Effect.runPromise(
  program.pipe(
    // Replaying by event id never asks the gateway; the sandbox only completes the environment.
    Effect.provide(
      Layer.mergeAll(
        storage,
        SystemClock.layer,
        RandomIds.layer,
        MemoryMetrics.layer,
        SandboxPaymentGateway.layer,
      ),
    ),
    Effect.withLogSpan("child"),
  ),
).then(
  (outcome) => console.log(JSON.stringify({ calls, outcome })),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 3
  },
)
