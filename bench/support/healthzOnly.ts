import { readFileSync } from "node:fs"
import { combine, type Figures, fire } from "./load.js"
import type { Target } from "./targets.js"

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const TICKS_PER_SECOND = 100

/** User + system CPU seconds of process `pid`, all its threads (/proc/<pid>/stat fields 14 and 15). */
const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

export interface HealthzFigures {
  readonly figures: Figures
  /** The server's CPU µs per answered request over all turns: robust to load from other processes. */
  readonly cpuUsPerRequest: number
  /** Requests per second of each turn, for ratios of turns run side by side. */
  readonly turns: ReadonlyArray<number>
}

/**
 * `--only healthz`: the GET /healthz targets alone, round-robin as the full bench runs them, each turn
 * also timing the server's CPU, so a comparison holds on a machine other work shares.
 */
export const measureHealthz = async (
  targets: ReadonlyArray<Target>,
  run: { connections: number; seconds: number; slices: number; warmupSeconds: number },
): Promise<Record<string, HealthzFigures>> => {
  const url = (target: Target) => `${target.url}/healthz`
  for (const target of targets)
    if (run.warmupSeconds > 0)
      await fire({ url: url(target), connections: run.connections, duration: run.warmupSeconds })
  const duration = Math.max(1, Math.round(run.seconds / run.slices))
  const turns = new Map(targets.map((target) => [target.name, [] as Array<Figures>]))
  const cpu = new Map(targets.map((target) => [target.name, 0]))
  for (let slice = 0; slice < run.slices; slice++) {
    for (const target of targets) {
      const before = cpuSeconds(target.pid)
      turns.get(target.name)?.push(await fire({ url: url(target), connections: run.connections, duration }))
      cpu.set(target.name, (cpu.get(target.name) ?? 0) + cpuSeconds(target.pid) - before)
    }
  }
  return Object.fromEntries(
    targets.map((target) => {
      const own = turns.get(target.name) ?? []
      const figures = combine(own)
      const cpuUs = figures.requests > 0 ? ((cpu.get(target.name) ?? 0) * 1e6) / figures.requests : 0
      return [
        target.name,
        { figures, cpuUsPerRequest: Number(cpuUs.toFixed(1)), turns: own.map((f) => f.rps) },
      ]
    }),
  )
}

const ratioOf = (a: number, b: number) => (b > 0 ? Number((a / b).toFixed(3)) : 0)

/** The median of the turn-by-turn ratios of `a` over `b` (turns taken next to each other share their noise). */
const turnRatio = (a: HealthzFigures, b: HealthzFigures): number => {
  const ratios = a.turns.map((rps, i) => ratioOf(rps, b.turns[i] ?? 0)).sort((x, y) => x - y)
  return ratios[Math.floor((ratios.length - 1) / 2)] ?? 0
}

/** Prints each target's rate and CPU per request, then the two ratios three ways; answers whether every request got a 2xx. */
export const reportHealthz = (results: Record<string, HealthzFigures>): boolean => {
  for (const [name, { figures, cpuUsPerRequest, turns }] of Object.entries(results))
    console.log(
      `${name.padEnd(14)} ${figures.rps.toFixed(0).padStart(7)}/s  cpu ${String(cpuUsPerRequest).padStart(6)} µs/req  turns ${turns.map((rps) => rps.toFixed(0)).join(" ")}  non-2xx ${figures.non2xx} errors ${figures.errors}`,
    )
  const { koa, settle, "settle-nohist": off } = results
  if (koa !== undefined && settle !== undefined && off !== undefined) {
    console.log(
      `settle/koa: rate ${ratioOf(settle.figures.rps, koa.figures.rps)}, median turn ${turnRatio(settle, koa)}, cpu ${ratioOf(koa.cpuUsPerRequest, settle.cpuUsPerRequest)} (>= 0.85)`,
    )
    console.log(
      `metrics on/off: rate ${ratioOf(settle.figures.rps, off.figures.rps)}, median turn ${turnRatio(settle, off)}, cpu ${ratioOf(off.cpuUsPerRequest, settle.cpuUsPerRequest)} (>= 0.95)`,
    )
  }
  return Object.values(results).every(({ figures }) => figures.non2xx === 0 && figures.errors === 0)
}

const HEALTHZ_COUNT = 'http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}'

const healthzCount = async (target: Target): Promise<number> => {
  const text = await (await fetch(`${target.url}/metrics`)).text()
  const line = text.split("\n").find((l) => l.startsWith(`${HEALTHZ_COUNT} `))
  return line === undefined ? 0 : Number(line.slice(HEALTHZ_COUNT.length + 1))
}

/**
 * What keeps "metrics on/off" honest: after the load, Settle counted its /healthz answers and the
 * histogram-off Settle counted none. A problem for each side that did not.
 */
export const histogramProblems = async (on: Target, off: Target): Promise<ReadonlyArray<string>> => {
  const [counted, countedOff] = await Promise.all([healthzCount(on), healthzCount(off)])
  return [
    ...(counted > 0 ? [] : [`${on.name} counted no /healthz in http_request_duration_seconds`]),
    ...(countedOff === 0 ? [] : [`${off.name} observed ${countedOff} /healthz: the histogram was not off`]),
  ]
}
