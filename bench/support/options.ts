import { join, resolve } from "node:path"
import { parseArgs } from "node:util"

/** The stores `--hot-stores` may name, in the order they run (bench/support/hotStores.ts). */
export const HOT_STORES = ["embedded", "ferretdb", "mongo-java-server"] as const

export interface BenchOptions {
  /** Seconds each target is measured (the webhook run is sized to about this long). */
  readonly duration: number
  /** Seconds of discarded load on each target before its GET runs. */
  readonly warmup: number
  /** Turns the GET runs are cut into, taken round-robin across the targets. */
  readonly slices: number
  readonly connections: number
  /**
   * The Mongo-mode bench after the rest (bench/support/mongoBench.ts), unless `--no-mongo`;
   * `--mongo-only`: that alone.
   */
  readonly mongo: boolean
  readonly mongoOnly: boolean
  /** Seconds of checkouts per target in the Mongo-mode bench (its webhook ingest delivers those orders). */
  readonly mongoSeconds: number
  /**
   * `--smoke`: every target at tiny sizes, to show the bench runs and verifies (the suite runs it);
   * its ratios mean nothing and fail nothing.
   */
  readonly smoke: boolean
  /** `--cpu-prof <dir>`: every Settle process writes a V8 CPU profile there when it exits. */
  readonly cpuProf: string | undefined
  /** `--hot`: issue 13's hot coupon + product bench alone (bench/support/hotCapacity.ts). */
  readonly hot: boolean
  /** Open holds on the hot coupon and product the last batch starts at. */
  readonly hotHolds: number
  /** Checkouts per batch, and concurrent clients sending them. */
  readonly hotBatch: number
  readonly hotClients: number
  /** The stores to run it on, of HOT_STORES. */
  readonly hotStores: ReadonlyArray<string>
  /** `--hot-drain <limit>`: instead of the table, redeem a coupon of `limit` to exactly its limit (0: off). */
  readonly hotDrain: number
  /** `--hot-alone`: on the Mongo stores, only the holds-alone table (bench/support/hotPlaces.ts). */
  readonly hotAlone: boolean
  /** `--only healthz`: the GET /healthz targets alone, with each server's CPU per request. */
  readonly only: "healthz" | undefined
}

const USAGE =
  "usage: pnpm bench [--duration 10] [--warmup 2] [--slices 5] [--connections 20] [--no-mongo | --mongo-only] [--mongo-seconds 3] [--smoke] [--cpu-prof <dir>] [--only healthz] [--hot [--hot-holds 100000] [--hot-batch 1000] [--hot-clients 8] [--hot-stores embedded,ferretdb,mongo-java-server] [--hot-alone] [--hot-drain <limit>]]"

// Events are signed before their run, and the server refuses signatures older than Stripe's 300 s.
const MAX_DURATION = 200

const numberIn = (name: string, raw: string, min: number, max: number, whole = false): number => {
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    throw new Error(
      `--${name} must be ${whole ? "a whole number" : "a number"} from ${min} to ${max}\n${USAGE}`,
    )
  }
  return value
}

const storesIn = (raw: string): ReadonlyArray<string> => {
  const names = raw.split(",").map((name) => name.trim())
  const unknown = names.filter((name) => !(HOT_STORES as ReadonlyArray<string>).includes(name))
  if (names.length === 0 || unknown.length > 0)
    throw new Error(
      `--hot-stores takes names from ${HOT_STORES.join(",")}; not ${unknown.join(",")}\n${USAGE}`,
    )
  return names
}

export const parseOptions = (argv: ReadonlyArray<string>): BenchOptions => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      slices: { type: "string" },
      connections: { type: "string" },
      "no-mongo": { type: "boolean", default: false },
      "mongo-only": { type: "boolean", default: false },
      "mongo-seconds": { type: "string" },
      smoke: { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
      hot: { type: "boolean", default: false },
      "hot-holds": { type: "string", default: "100000" },
      "hot-batch": { type: "string", default: "1000" },
      "hot-clients": { type: "string", default: "8" },
      "hot-stores": { type: "string", default: HOT_STORES.join(",") },
      "hot-drain": { type: "string", default: "0" },
      "hot-alone": { type: "boolean", default: false },
      only: { type: "string" },
    },
    strict: true,
  })
  const smoke = values.smoke
  if (values["no-mongo"] && values["mongo-only"])
    throw new Error(`--no-mongo contradicts --mongo-only\n${USAGE}`)
  if (values.only !== undefined && values.only !== "healthz")
    throw new Error(`--only takes healthz; not ${values.only}\n${USAGE}`)
  return {
    duration: numberIn("duration", values.duration ?? (smoke ? "1" : "10"), 1, MAX_DURATION),
    warmup: numberIn("warmup", values.warmup ?? (smoke ? "0" : "2"), 0, 60),
    slices: numberIn("slices", values.slices ?? (smoke ? "1" : "5"), 1, 100, true),
    // A smoke's batches are a few dozen events (a dozen on FerretDB): with as many connections as events,
    // a redelivery would go out before any first delivery was answered, a retry rather than a duplicate.
    connections: numberIn("connections", values.connections ?? (smoke ? "4" : "20"), 1, 1000, true),
    mongo: !values["no-mongo"],
    mongoOnly: values["mongo-only"],
    mongoSeconds: numberIn("mongo-seconds", values["mongo-seconds"] ?? (smoke ? "1" : "3"), 1, 60, true),
    smoke,
    // Settle runs from packages/server: a relative directory would land there.
    cpuProf: values["cpu-prof"] === undefined ? undefined : resolve(values["cpu-prof"]),
    hot: values.hot,
    hotHolds: numberIn("hot-holds", values["hot-holds"], 0, 900_000, true),
    hotBatch: numberIn("hot-batch", values["hot-batch"], 1, 100_000, true),
    hotClients: numberIn("hot-clients", values["hot-clients"], 1, 1000, true),
    hotStores: storesIn(values["hot-stores"]),
    hotDrain: numberIn("hot-drain", values["hot-drain"], 0, 1_000_000, true),
    hotAlone: values["hot-alone"],
    only: values.only,
  }
}

/**
 * Node flags for a Settle process named `name`: with `--cpu-prof <dir>`, CPU profiles written to
 * `<dir>/<name>/` when it exits, one per thread (tsx's loader hooks run in a thread of their own, so
 * one fixed file name would be written twice); `pnpm bench:profile <dir>/<name>` splits the main
 * thread's by layer.
 */
export const settleNodeArgs = (options: BenchOptions, name: string): ReadonlyArray<string> =>
  options.cpuProf === undefined
    ? []
    : ["--cpu-prof", `--cpu-prof-dir=${join(options.cpuProf, name.replace(/[^\w.@-]+/g, "_"))}`]
