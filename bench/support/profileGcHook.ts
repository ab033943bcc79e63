import { writeFileSync } from "node:fs"

/**
 * Preloaded (`--import`) into a Settle process whose memory the bench reads, started with
 * --expose-gc: SIGUSR2 runs a full collection, so the next /metrics shows the heap that is live rather
 * than wherever V8's last collection happened to leave it. The process's id goes to the file
 * BENCH_PID_FILE names: the bench signals it by that id.
 */
const collect = (globalThis as { gc?: () => void }).gc
const pidFile = process.env.BENCH_PID_FILE

if (collect !== undefined && pidFile !== undefined) {
  process.on("SIGUSR2", () => collect())
  writeFileSync(pidFile, String(process.pid))
}
