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

/**
 * Stdout, written asynchronously: the lines logged while a write is in flight go out together in the
 * next one, instead of one blocking write per line (two per webhook, with the access log). pino flushes
 * what is still buffered when the process exits, process.exit and an uncaught exception included.
 */
const stdout = (): DestinationStream => pino.destination({ dest: 1, sync: false })

/** A pino logger writing JSON lines (or readable lines when `pretty`) with ISO timestamps. */
export const makePino = (options: PinoOptions): pino.Logger => {
  const settings = { level: options.level, timestamp: pino.stdTimeFunctions.isoTime }
  if (options.pretty === true) return pino(settings, prettyStream(options.destination ?? process.stdout))
  return pino(settings, options.destination ?? stdout())
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
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  if (typeof value === "bigint" || typeof value === "symbol" || typeof value === "function")
    return String(value)
  if (value instanceof Error) return { name: value.name, message: value.message }
  return Inspectable.toJSON(value)
}

/**
 * FiberId.threadName's `#<id>`, without the HashSet it builds on the way: a log line's fiber is nearly
 * always one runtime fiber, and that set cost more than the rest of the record.
 */
const threadName = (fiberId: FiberId.FiberId): string =>
  fiberId._tag === "Runtime" ? `#${fiberId.id}` : FiberId.threadName(fiberId)

/**
 * Message text, annotations as top-level fields, spans in ms, the cause rendered under `err`, the
 * fiber: one pass over each, since every request's log lines go through here.
 */
const toRecord = (
  options: Logger.Logger.Options<unknown>,
): { msg: string; fields: Record<string, unknown> } => {
  const parts = Array.isArray(options.message) ? options.message : [options.message]
  const text: Array<string> = []
  const data: Array<unknown> = []
  for (const part of parts) {
    if (typeof part === "object" && part !== null) data.push(structured(part))
    else text.push(String(part))
  }
  const fields: Record<string, unknown> = {}
  let clashing: Record<string, unknown> | undefined
  HashMap.forEach(options.annotations, (value, key) => {
    if (RESERVED.has(key)) {
      clashing ??= {}
      clashing[key] = structured(value)
    } else fields[key] = structured(value)
  })
  if (clashing !== undefined) fields.annotations = clashing
  if (data.length > 0) fields.data = data.length === 1 ? data[0] : data
  if (List.isCons(options.spans)) {
    const now = options.date.getTime()
    fields.spans = Object.fromEntries(
      List.toArray(options.spans).map((span) => [span.label, now - span.startTime]),
    )
  }
  if (!Cause.isEmpty(options.cause)) fields.err = Cause.pretty(options.cause, { renderErrorCause: true })
  fields.fiber = threadName(options.fiberId)
  return { msg: text.join(" "), fields }
}

/** Effect's logger writing through `target`: each Effect log line becomes one pino record. */
export const fromPino = (target: pino.Logger): Logger.Logger<unknown, void> =>
  Logger.make((options) => {
    const level = toPino[options.logLevel._tag]
    if (level === "silent") return
    const { msg, fields } = toRecord(options)
    target[level](fields, msg)
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
