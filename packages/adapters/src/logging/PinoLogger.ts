import { Cause, FiberId, HashMap, Inspectable, Layer, List, Logger, LogLevel } from "effect"
import { type DestinationStream, pino } from "pino"
import { prettyStream } from "./prettyStream.js"

export type PinoLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent"

export interface PinoOptions {
  readonly level: PinoLevel
  /** One readable line per record instead of JSON, for a terminal (no pino-pretty needed). */
  readonly pretty?: boolean
  /** Where the lines go; stdout by default. */
  readonly destination?: DestinationStream
}

/** A pino logger writing JSON lines (or readable lines when `pretty`) with ISO timestamps. */
export const makePino = (options: PinoOptions): pino.Logger => {
  const settings = { level: options.level, timestamp: pino.stdTimeFunctions.isoTime }
  if (options.pretty === true) return pino(settings, prettyStream(options.destination ?? process.stdout))
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination)
}

const toPino: Record<LogLevel.Literal, PinoLevel> = {
  All: "trace",
  Trace: "trace",
  Debug: "debug",
  Info: "info",
  Warning: "warn",
  Error: "error",
  Fatal: "fatal",
  None: "silent",
}

const toEffect: Record<PinoLevel, LogLevel.LogLevel> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  silent: LogLevel.None,
}

// Fields pino writes itself, plus the ones this logger adds; an annotation by one of these names
// would produce a duplicate JSON key, so such annotations go under `annotations` instead.
const RESERVED = new Set([
  "level",
  "time",
  "pid",
  "hostname",
  "msg",
  "err",
  "spans",
  "fiber",
  "data",
  "annotations",
])

const structured = (value: unknown): unknown => {
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function")
    return String(value)
  if (value instanceof Error) return { name: value.name, message: value.message }
  return Inspectable.toJSON(value)
}

/** Message text, annotations as top-level fields, spans in ms, the cause rendered under `err`. */
const toRecord = (
  options: Logger.Logger.Options<unknown>,
): { msg: string; fields: Record<string, unknown> } => {
  const parts = Array.isArray(options.message) ? options.message : [options.message]
  const text = parts.filter((part) => typeof part !== "object" || part === null).map(String)
  const data = parts.filter((part) => typeof part === "object" && part !== null).map(structured)
  const fields: Record<string, unknown> = {}
  const clashing: Record<string, unknown> = {}
  for (const [key, value] of HashMap.toEntries(options.annotations)) {
    if (RESERVED.has(key)) clashing[key] = structured(value)
    else fields[key] = structured(value)
  }
  if (Object.keys(clashing).length > 0) fields.annotations = clashing
  if (data.length > 0) fields.data = data.length === 1 ? data[0] : data
  if (List.isCons(options.spans)) {
    const now = options.date.getTime()
    fields.spans = Object.fromEntries(
      List.toArray(options.spans).map((span) => [span.label, now - span.startTime]),
    )
  }
  if (!Cause.isEmpty(options.cause)) fields.err = Cause.pretty(options.cause, { renderErrorCause: true })
  return { msg: text.join(" "), fields }
}

/** Effect's logger writing through `target`: each Effect log line becomes one pino record. */
export const fromPino = (target: pino.Logger): Logger.Logger<unknown, void> =>
  Logger.make((options) => {
    const level = toPino[options.logLevel._tag]
    if (level === "silent") return
    const { msg, fields } = toRecord(options)
    target[level]({ ...fields, fiber: FiberId.threadName(options.fiberId) }, msg)
  })

/**
 * Replaces Effect's default logger with pino and lowers Effect's own minimum level to pino's, so
 * `LOG_LEVEL=debug` reaches Effect.logDebug calls that Effect would otherwise drop before pino sees them.
 */
export const layer = (pinoOrOptions: pino.Logger | PinoOptions): Layer.Layer<never> => {
  const target = isPino(pinoOrOptions) ? pinoOrOptions : makePino(pinoOrOptions)
  const level = toEffect[target.level as PinoLevel] ?? LogLevel.Info
  return Layer.merge(Logger.replace(Logger.defaultLogger, fromPino(target)), Logger.minimumLogLevel(level))
}

const isPino = (value: pino.Logger | PinoOptions): value is pino.Logger =>
  typeof (value as Partial<pino.Logger>).info === "function"
