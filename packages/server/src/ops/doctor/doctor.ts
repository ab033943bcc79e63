import { Either } from "effect"
import * as checks from "../../config/checks.js"
import { DEFAULTS, presentOnly } from "../../config/loadConfig.js"
import type { RawEnv } from "../../config/rules.js"
import * as args from "../arguments.js"
import type { Command } from "../Command.js"
import { type CheckResult, checkLines, skip } from "./Check.js"
import { offlineCloudinary, pingCloudinary } from "./cloudinary.js"
import { configChecks } from "./configChecks.js"
import { inspectMongo, reachStripe } from "./connectivity.js"

/** A variable's value when the server's own check for it accepts it. */
const accepted = <A>(check: checks.Check<A>, raw: string | undefined): A | undefined =>
  raw === undefined ? undefined : Either.getOrUndefined(check(raw))

const NON_ATOMIC_OPT_IN = checks.oneOf<"true" | "false">("ALLOW_NON_ATOMIC_STORE", ["true", "false"])

const connectivity = async (
  raw: RawEnv,
  config: ReadonlyArray<CheckResult>,
  online: boolean,
): Promise<ReadonlyArray<CheckResult>> => {
  const uri = accepted(checks.mongoUri, raw.MONGO_URI)
  const key = accepted(checks.stripeSecretKey, raw.STRIPE_SECRET_KEY)
  const cloudinaryBase = accepted(checks.httpUrl("CLOUDINARY_API_BASE_URL"), raw.CLOUDINARY_API_BASE_URL)
  const cloudinary = ["CLOUDINARY_CLOUD_NAME", "CLOUDINARY_API_KEY", "CLOUDINARY_API_SECRET"] as const
  const cloudinaryReady = cloudinary.every((name) =>
    config.some((result) => result.check === name && result.status === "ok"),
  )
  const results = await Promise.all([
    uri === undefined
      ? skip(
          "mongo.ping",
          raw.MONGO_URI === undefined ? "MONGO_URI is not set" : "not tried: fix MONGO_URI first",
        )
      : inspectMongo(
          uri,
          accepted(checks.databaseName, raw.MONGO_DB_NAME) ?? checks.databaseOf(uri) ?? DEFAULTS.dbName,
          accepted(NON_ATOMIC_OPT_IN, raw.ALLOW_NON_ATOMIC_STORE) === "true",
        ),
    key === undefined
      ? skip(
          "stripe.api",
          raw.STRIPE_SECRET_KEY === undefined
            ? "STRIPE_SECRET_KEY is not set"
            : "not tried: fix STRIPE_SECRET_KEY first",
        )
      : reachStripe(key, accepted(checks.httpUrl("STRIPE_API_BASE_URL"), raw.STRIPE_API_BASE_URL)),
    !cloudinaryReady
      ? skip("cloudinary.api", "not tried: Cloudinary is not configured, or its variables need fixing first")
      : online
        ? pingCloudinary(
            {
              cloudName: raw.CLOUDINARY_CLOUD_NAME ?? "",
              apiKey: raw.CLOUDINARY_API_KEY ?? "",
              apiSecret: raw.CLOUDINARY_API_SECRET ?? "",
            },
            cloudinaryBase === undefined ? {} : { baseUrl: cloudinaryBase },
          )
        : offlineCloudinary(),
  ])
  return results.flat()
}

export const doctor: Command = {
  name: "doctor",
  summary: "check the configuration for the runbook's failure modes and print the fix for each",
  usage: "doctor [--online]",
  runbook: [
    'Scenario 8: "MONGO_URI must start with "mongodb://" or "mongodb+srv://"..." ("No placeholder (e.g. CHANGE_ME_MONGO_URI), no extra quotes, no leading/trailing spaces.")',
    'Scenario 7: "Ensure CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY, and CLOUDINARY_API_SECRET on Render all match the Cloudinary Dashboard."',
    'Scenario 4, Immediate mitigation: "Confirm STRIPE_WEBHOOK_SECRET."',
  ],
  details: [
    "Reads the environment the server would start with and checks every variable with the server's own",
    "rules (placeholders, quotes, stray whitespace or line breaks, key shapes), Cloudinary values in the",
    "wrong variable, the Stripe key's mode, then pings MongoDB and Stripe (STRIPE_API_BASE_URL if set).",
    "It asks MongoDB what server it is: FerretDB's conditional writes are not atomic, and the server",
    "refuses to start on it unless ALLOW_NON_ATOMIC_STORE=true (then it is a warning).",
    "Cloudinary is only contacted with --online (CLOUDINARY_API_BASE_URL if set). No value of a secret",
    "is ever printed.",
    "Exit 1 when any check fails; warnings alone exit 0.",
  ],
  options: {
    online: {
      type: "boolean",
      description: "also ask Cloudinary whether it accepts the cloud name, key and secret",
    },
  },
  examples: ["pnpm ops doctor", "pnpm ops doctor --online --json"],
  run: async (options, context) => {
    const raw = presentOnly(context.env)
    const config = configChecks(context.env)
    const results = [...config, ...(await connectivity(raw, config, args.flag(options, "online")))]
    const failed = results.filter((result) => result.status === "fail").length
    const warned = results.filter((result) => result.status === "warn").length
    return {
      data: { checks: results, failed, warnings: warned },
      text: [
        ...checkLines(results),
        "",
        failed === 0
          ? `No failing checks${warned === 0 ? "" : `; ${warned} warning(s)`}.`
          : `${failed} check(s) failed${warned === 0 ? "" : `, ${warned} warning(s)`}: apply the fixes above and run the doctor again.`,
      ],
      failed: failed > 0,
    }
  },
}
