import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { parseArgs } from "node:util"
import { type CpuProfile, formatSplit, phasesOf, split, type Window } from "./support/profileSplit.js"
import { WINDOWS_FILE } from "./support/profileWindows.js"

/**
 * `pnpm bench:profile <file.cpuprofile>…`: where a Settle process's CPU went, by layer (node http/net,
 * Koa + router, Settle's middleware, Stripe SDK, effect/Schema, Effect runtime, stores, pino,
 * prom-client, GC), idle left out. With the windows `pnpm bench --cpu-prof <dir>` writes next to its
 * profiles, each phase of the bench that falls in the profile gets a split of its own.
 */
const USAGE = "usage: pnpm bench:profile <file.cpuprofile | directory>... [--windows <file.json>] [--top 15]"
const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { windows: { type: "string" }, top: { type: "string", default: "15" } },
  allowPositionals: true,
  strict: true,
})
if (positionals.length === 0) {
  console.error(USAGE)
  process.exit(2)
}

// Node names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one.
const MAIN_THREAD = /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/

/** A file as given; for a directory (one process's, from --cpu-prof), its newest main-thread profile. */
const profileFile = (path: string): string => {
  if (!statSync(path).isDirectory()) return path
  const newest = readdirSync(path)
    .filter((name) => MAIN_THREAD.test(name))
    .map((name) => join(path, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  if (newest === undefined) throw new Error(`no main-thread CPU profile (CPU.*.0.*.cpuprofile) in ${path}`)
  return newest
}

/** The bench's phases: --windows, or the windows file next to the profile or one directory up. */
const windowsOf = (file: string): ReadonlyArray<Window> => {
  const candidates =
    values.windows === undefined
      ? [join(dirname(file), WINDOWS_FILE), join(dirname(file), "..", WINDOWS_FILE)]
      : [values.windows]
  const found = candidates.find((candidate) => existsSync(candidate))
  return found === undefined ? [] : (JSON.parse(readFileSync(found, "utf8")) as Array<Window>)
}

const top = Number(values.top)
for (const path of positionals) {
  const file = profileFile(path)
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile
  const inProfile = windowsOf(file).filter((w) => w.to > profile.startTime && w.from < profile.endTime)
  console.log(`# ${file}`)
  const whole = { name: "whole profile", ranges: [[profile.startTime, profile.endTime] as const] }
  for (const phase of [whole, ...phasesOf(inProfile)])
    console.log(`\n${formatSplit(split(profile, phase, top), profile.startTime)}`)
}
