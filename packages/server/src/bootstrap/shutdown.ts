import type { Server } from "node:http"
import type { Logger } from "pino"
import type { Readiness } from "../http/routes/health.js"

export interface ShutdownOptions {
  readonly server: Server
  readonly readiness: Readiness
  readonly logger: Logger
  /** How long /readyz answers 503 while the port still serves, before it closes (DRAIN_DELAY_SECONDS). */
  readonly drainDelayMs: number
  /** After this long, open connections are cut and shutdown reports "forced". */
  readonly timeoutMs: number
  /** Background work to stop once no request can start it anymore (the sandbox expiry timer). */
  readonly stopBackground: () => Promise<void>
  /** Releases the runtime: closes the Mongo pool. */
  readonly dispose: () => Promise<void>
}

export type ShutdownOutcome = "clean" | "forced"

const IDLE_SWEEP_MS = 100

/** Stop accepting, let in-flight requests finish, then release the store. */
const drain = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    // Keep-alive sockets between requests would hold close() open forever; cut them as they go idle.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    server.close(() => {
      clearInterval(sweep)
      resolve()
    })
    server.closeIdleConnections()
  })

const within = <A>(ms: number, work: Promise<A>): Promise<A | "timeout"> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve("timeout"), ms)
    timer.unref()
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Graceful shutdown on SIGTERM (Render's deploys) or SIGINT: readiness turns 503 first and the port
 * keeps serving for the drain delay, so a balancer stops sending traffic before a connection is
 * refused; the port closes; requests in flight finish (a webhook cut mid-finalization is safe, but a
 * finished one saves Stripe a retry); then the runtime is disposed, closing Mongo.
 */
export const shutdown = async (options: ShutdownOptions, reason: string): Promise<ShutdownOutcome> => {
  const { server, logger } = options
  options.readiness.draining = true
  if (options.drainDelayMs > 0) {
    logger.info(
      { drainDelayMs: options.drainDelayMs },
      `[http] ${reason}: not ready; still serving for ${options.drainDelayMs} ms before closing the port`,
    )
    await sleep(options.drainDelayMs)
  }
  logger.info(`[http] ${reason}: draining (up to ${options.timeoutMs} ms)`)
  let outcome: ShutdownOutcome = "clean"
  if ((await within(options.timeoutMs, drain(server))) === "timeout") {
    logger.warn("[http] in-flight requests did not finish in time; closing their connections")
    server.closeAllConnections()
    outcome = "forced"
  }
  await options.stopBackground()
  try {
    if ((await within(options.timeoutMs, options.dispose())) === "timeout") {
      logger.warn("[db] the runtime did not release in time")
      outcome = "forced"
    }
  } catch (error) {
    logger.error({ err: String(error) }, "[db] releasing the runtime failed")
    outcome = "forced"
  }
  logger.info(`[http] stopped (${outcome})`)
  return outcome
}
