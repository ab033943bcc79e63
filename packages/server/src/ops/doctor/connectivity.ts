import { MongoDatabase, MongoServerTraits, StripeClient } from "@settle/adapters"
import { Context, Effect, Layer } from "effect"
import { OPT_IN, risk, WAYS_OUT } from "../../bootstrap/storeAtomicity.js"
import { redactCredentials } from "../../config/bootstrapFailure.js"
import { type CheckResult, fail, ok, warn } from "./Check.js"

const reasonOf = (error: unknown): string =>
  redactCredentials(
    error instanceof Error || (typeof error === "object" && error !== null && "message" in error)
      ? String((error as { message: unknown }).message)
      : String(error),
  )

const elapsed = (started: number) => `${Date.now() - started} ms`

/** Whether the server would start on this store: the same verdict its bootstrap reaches. */
const storeCheck = (traits: MongoServerTraits.ServerTraits, allowNonAtomic: boolean): CheckResult => {
  if (traits.atomicConditionalWrites) {
    return ok("mongo.server", `${traits.name} applies conditional writes atomically`)
  }
  return allowNonAtomic
    ? warn(
        "mongo.server",
        `${risk(traits)}; the server starts on it only because ${OPT_IN}=true`,
        "point MONGO_URI at MongoDB (Atlas or a replica set) before taking real orders",
      )
    : fail("mongo.server", `${risk(traits)}; the server refuses to start on it`, WAYS_OUT)
}

/**
 * Connect and `ping` with a short server-selection timeout (a wrong host or a closed network fails
 * fast), then ask what the server is: the bootstrap refuses one whose conditional writes race.
 */
export const inspectMongo = (
  uri: string,
  dbName: string,
  allowNonAtomic: boolean,
  timeoutMs = 3_000,
): Promise<ReadonlyArray<CheckResult>> => {
  const started = Date.now()
  return Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const context = yield* Layer.build(
          MongoDatabase.layer({ uri, dbName, serverSelectionTimeoutMS: timeoutMs }),
        )
        const { db } = Context.get(context, MongoDatabase.MongoDatabase)
        yield* Effect.tryPromise(() => db.command({ ping: 1 }))
        const pinged = ok("mongo.ping", `the store answered ping in ${elapsed(started)}`)
        const traits = yield* MongoServerTraits.serverTraits(db)
        return [pinged, storeCheck(traits, allowNonAtomic)]
      }),
    ).pipe(
      Effect.catchAll((error) =>
        Effect.succeed([
          fail(
            "mongo.ping",
            `cannot reach the store: ${reasonOf(error)}`,
            "check that the cluster is up and reachable from here (Atlas → Network Access must allow this host's IP) and the user and password in MONGO_URI",
          ),
        ]),
      ),
    ),
  )
}

/** The SDK's error class, when Stripe (or the proxy) answered or could not be reached. */
const stripeType = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "type" in error && typeof error.type === "string"
    ? error.type
    : undefined

/**
 * One authenticated read (the balance): reachability and the key in one round trip. A restricted key
 * without balance access is still a key Stripe knows, so a permission error passes.
 */
export const reachStripe = (
  secretKey: string,
  apiBaseUrl: string | undefined,
  timeoutMs = 5_000,
): Promise<CheckResult> => {
  const started = Date.now()
  const where = apiBaseUrl ?? "api.stripe.com"
  return Effect.runPromise(
    Effect.gen(function* () {
      const stripe = yield* StripeClient.make({
        secretKey,
        timeoutMs,
        maxNetworkRetries: 0,
        ...(apiBaseUrl === undefined ? {} : { apiBaseUrl }),
      })
      yield* Effect.tryPromise({ try: () => stripe.balance.retrieve(), catch: (error) => error })
      return ok("stripe.api", `${where} accepted the key in ${elapsed(started)}`)
    }).pipe(
      Effect.catchAll((error): Effect.Effect<CheckResult> => {
        switch (stripeType(error)) {
          case "StripePermissionError":
            return Effect.succeed(ok("stripe.api", `${where} knows the key (restricted: no balance access)`))
          case "StripeAuthenticationError":
            return Effect.succeed(
              fail(
                "stripe.api",
                `${where} refused the key: ${reasonOf(error)}`,
                "the key was rolled or mistyped: copy it again from Stripe Dashboard → Developers → API keys",
              ),
            )
          default:
            return Effect.succeed(
              fail(
                "stripe.api",
                `cannot reach Stripe at ${where}: ${reasonOf(error)}`,
                "check this host's outbound HTTPS access to api.stripe.com, or STRIPE_API_BASE_URL if set",
              ),
            )
        }
      }),
    ),
  )
}
