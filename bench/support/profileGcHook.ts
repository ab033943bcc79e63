/**
 * Preloaded (`--import`) into a Settle process whose memory the bench reads, started with
 * --expose-gc: SIGUSR2 runs a full collection, so the next /metrics shows the heap that is live rather
 * than wherever V8's last collection happened to leave it.
 */
const collect = (globalThis as { gc?: () => void }).gc

if (collect !== undefined) process.on("SIGUSR2", () => collect())
