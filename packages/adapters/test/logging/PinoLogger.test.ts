import { StoreError } from "@settle/domain"
import { Effect, FiberId } from "effect"
import type { DestinationStream } from "pino"
import { describe, expect, it } from "vitest"
import * as PinoLogger from "../../src/logging/PinoLogger.js"

/** A destination that keeps every line pino writes. */
const capture = () => {
  const lines: Array<string> = []
  const destination: DestinationStream = { write: (line: string) => void lines.push(line) }
  return {
    destination,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

const runLogged = (program: Effect.Effect<unknown>, options: Omit<PinoLogger.PinoOptions, "destination">) => {
  const out = capture()
  const logger = PinoLogger.makePino({ ...options, destination: out.destination })
  Effect.runSync(program.pipe(Effect.provide(PinoLogger.layer(logger))))
  return out
}

describe("PinoLogger", () => {
  it("writes the message, its prefix and the annotations as top-level JSON fields", () => {
    const out = runLogged(
      Effect.logInfo("[stripe.webhook] processed").pipe(
        Effect.annotateLogs({ stripeEventId: "evt_1", orderId: "ord_1" }),
      ),
      { level: "info" },
    )
    const [entry] = out.records()
    expect(entry).toMatchObject({
      level: 30,
      msg: "[stripe.webhook] processed",
      stripeEventId: "evt_1",
      orderId: "ord_1",
    })
    expect(typeof entry?.time).toBe("string")
    expect(out.lines).toHaveLength(1)
  })

  it("names the fiber as FiberId.threadName does", () => {
    const out = capture()
    const logger = PinoLogger.makePino({ level: "info", destination: out.destination })
    const fiberName = Effect.runSync(
      Effect.gen(function* () {
        yield* Effect.logInfo("[test] which fiber")
        return FiberId.threadName(yield* Effect.fiberId)
      }).pipe(Effect.provide(PinoLogger.layer(logger))),
    )
    expect(fiberName).toMatch(/^#\d+$/)
    expect(out.records()[0]?.fiber).toBe(fiberName)
  })

  it("maps Effect's levels to pino's", () => {
    const out = runLogged(
      Effect.all([
        Effect.logWarning("[jobs.expire] slow"),
        Effect.logError("[db] lost"),
        Effect.logFatal("[db] gone"),
        Effect.logDebug("[db] query"),
      ]),
      { level: "info" },
    )
    expect(out.records().map((entry) => [entry.level, entry.msg])).toEqual([
      [40, "[jobs.expire] slow"],
      [50, "[db] lost"],
      [60, "[db] gone"],
    ])
  })

  it("lets debug lines through when pino's level is debug", () => {
    const out = runLogged(Effect.logDebug("[jobs.reconcile] scanning"), { level: "debug" })
    expect(out.records()).toMatchObject([{ level: 20, msg: "[jobs.reconcile] scanning" }])
  })

  it("writes nothing when silent", () => {
    const out = runLogged(Effect.logError("[db] lost"), { level: "silent" })
    expect(out.lines).toEqual([])
  })

  it("renders the cause under err", () => {
    const out = runLogged(
      Effect.fail(new StoreError({ message: "connection reset" })).pipe(
        Effect.tapErrorCause((cause) =>
          Effect.logError("[stripe.webhook] processing failed: StoreError", cause),
        ),
        Effect.annotateLogs({ stripeEventId: "evt_2" }),
        Effect.ignore,
      ),
      { level: "info" },
    )
    const [entry] = out.records()
    expect(entry).toMatchObject({
      level: 50,
      msg: "[stripe.webhook] processing failed: StoreError",
      stripeEventId: "evt_2",
    })
    expect(entry?.err).toContain("connection reset")
  })

  it("writes log spans in milliseconds and structured message parts under data", () => {
    const out = runLogged(
      Effect.log("[jobs.invoices] done", { issued: 2 }).pipe(Effect.withLogSpan("jobs.invoices")),
      { level: "info" },
    )
    const [entry] = out.records()
    expect(entry?.msg).toBe("[jobs.invoices] done")
    expect(entry?.data).toEqual({ issued: 2 })
    expect(entry?.spans).toEqual({ "jobs.invoices": expect.any(Number) })
  })

  it("keeps an annotation named like a pino field from clobbering it", () => {
    const out = runLogged(
      Effect.logInfo("[db] connected").pipe(Effect.annotateLogs({ msg: "x", level: "y" })),
      {
        level: "info",
      },
    )
    expect(out.records()).toMatchObject([
      { level: 30, msg: "[db] connected", annotations: { msg: "x", level: "y" } },
    ])
  })

  it("writes readable lines when pretty", () => {
    const out = runLogged(
      Effect.logWarning("[stripe.webhook] amount mismatch: order held for review").pipe(
        Effect.annotateLogs({ orderId: "ord_9" }),
      ),
      { level: "info", pretty: true },
    )
    expect(out.lines).toHaveLength(1)
    expect(out.lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[stripe\.webhook\] amount mismatch: order held for review orderId=ord_9\n$/,
    )
  })
})
