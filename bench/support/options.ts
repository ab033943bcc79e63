import { parseArgs } from "node:util"

export interface BenchOptions {
  /** Seconds each target is measured (the webhook run is sized to about this long). */
  readonly duration: number
  /** Seconds of discarded load on each target before its GET runs. */
  readonly warmup: number
  /** Turns the GET runs are cut into, taken round-robin across the targets. */
  readonly slices: number
  readonly connections: number
  /** `--mongo`: the Mongo-mode bench after the rest; `--mongo-only`: that alone (bench/support/mongoBench.ts). */
  readonly mongo: boolean
  readonly mongoOnly: boolean
  /** Seconds of checkouts per target in the Mongo-mode bench (its webhook ingest delivers those orders). */
  readonly mongoSeconds: number
}

const USAGE =
  "usage: pnpm bench [--duration 10] [--warmup 2] [--slices 5] [--connections 20] [--mongo | --mongo-only] [--mongo-seconds 3]"

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

export const parseOptions = (argv: ReadonlyArray<string>): BenchOptions => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      slices: { type: "string", default: "5" },
      connections: { type: "string", default: "20" },
      mongo: { type: "boolean", default: false },
      "mongo-only": { type: "boolean", default: false },
      "mongo-seconds": { type: "string", default: "3" },
    },
    strict: true,
  })
  return {
    duration: numberIn("duration", values.duration, 1, MAX_DURATION),
    warmup: numberIn("warmup", values.warmup, 0, 60),
    slices: numberIn("slices", values.slices, 1, 100, true),
    connections: numberIn("connections", values.connections, 1, 1000, true),
    mongo: values.mongo || values["mongo-only"],
    mongoOnly: values["mongo-only"],
    mongoSeconds: numberIn("mongo-seconds", values["mongo-seconds"], 1, 60, true),
  }
}
