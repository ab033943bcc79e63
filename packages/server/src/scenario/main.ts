import { ProductCatalog } from "@settle/domain"
import {
  ClockControl,
  crashable,
  MetricsProbe,
  memoryStorage,
  planLayer,
  storeCrash,
  withFaults,
  world,
} from "@settle/testkit"
import { Effect, Layer } from "effect"
import { seedDemoShop } from "../seed.js"
import {
  amountMismatch,
  couponCheckout,
  couponSellsOut,
  crashAndRecover,
  duplicateAndReordered,
  expiry,
  runExpiry,
} from "./steps.js"

/**
 * Until the HTTP server lands, `./settle start` plays the core's promises through the use-cases on
 * the in-memory stores and the sandbox gateway, and prints what happened.
 */
const scenario = Effect.gen(function* () {
  const clock = yield* ClockControl
  console.log("Settle — embedded default: in-memory stores, sandbox payment gateway, offline.")
  yield* seedDemoShop(new Date())
  const first = yield* couponCheckout
  yield* duplicateAndReordered(first)
  yield* crashAndRecover
  yield* couponSellsOut
  yield* amountMismatch
  const abandoned = yield* expiry
  yield* clock.advance(31 * 60 * 1000)
  yield* runExpiry(abandoned.id)
  const probe = yield* MetricsProbe
  console.log("\nMetrics:")
  for (const [key, value] of Object.entries(yield* probe.snapshot)) console.log(`   ${key} ${value}`)
})

// Only the product catalog can crash here, so "crash at call 1" lands on the first stock commit.
const shop = withFaults(world(memoryStorage, new Date()), [crashable(ProductCatalog, storeCrash)]).pipe(
  Layer.provideMerge(planLayer()),
)

Effect.runPromise(scenario.pipe(Effect.provide(shop))).catch((error: unknown) => {
  console.error("scenario failed:", error)
  process.exitCode = 1
})
