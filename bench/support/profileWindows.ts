import { writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Window } from "./profileSplit.js"

/** Written next to the profiles by `pnpm bench --cpu-prof <dir>`; read by `pnpm bench:profile`. */
export const WINDOWS_FILE = "windows.json"

// The monotonic clock the profiles' timestamps use, in microseconds.
const now = () => Number(process.hrtime.bigint() / 1000n)

const windows: Array<Window> = []

/**
 * Runs `work` and notes when, under `name`, so a profile of a process that served several phases (the
 * first Settle answers GET /healthz, then webhooks) can be split phase by phase; windows of one name
 * (every batch's webhooks) are split as one. Costs two clock reads; written only with `--cpu-prof`.
 */
export const timePhase = async <A>(name: string, work: () => Promise<A>): Promise<A> => {
  const from = now()
  try {
    return await work()
  } finally {
    windows.push({ name, from, to: now() })
  }
}

export const writeWindows = (dir: string | undefined): void => {
  if (dir !== undefined) writeFileSync(join(dir, WINDOWS_FILE), `${JSON.stringify(windows, null, 2)}\n`)
}
