import type { DestinationStream } from "pino"

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
}
const OMITTED = new Set(["level", "time", "pid", "hostname", "msg", "err", "fiber"])

const show = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))

const parse = (json: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(json) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/**
 * `12:00:00.123 INFO  [stripe.webhook] processed stripeEventId=evt_1 orderId=ord_1`, then the cause
 * indented below: what a developer reads in a terminal, without a pino-pretty dependency.
 */
export const formatLine = (json: string): string => {
  const entry = parse(json)
  if (entry === undefined) return json
  const time = typeof entry.time === "string" ? entry.time.slice(11, 23) : ""
  const level = (LEVELS[Number(entry.level)] ?? String(entry.level)).padEnd(5)
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${show(value)}`)
  const head = [time, level, show(entry.msg ?? ""), ...fields].filter((part) => part !== "").join(" ")
  const err = typeof entry.err === "string" ? `\n${entry.err.replace(/^/gm, "    ")}` : ""
  return `${head}${err}\n`
}

/** Pino writes whole JSON lines to its destination; this one rewrites each before passing it on. */
export const prettyStream = (destination: DestinationStream): DestinationStream => ({
  write: (line: string) => destination.write(formatLine(line)),
})
