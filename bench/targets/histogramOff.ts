/**
 * Preloaded (`--import`) into a Settle process to measure what http_request_duration_seconds costs
 * per request: its per-request observation (`HttpDurations.prototype.observe`: the series lookup and
 * the count) does nothing, everything else runs as deployed (the access log's timing pass included).
 * Bench-only: no setting of Settle's turns its metrics off, and none should.
 *
 * The built server (`dist/main.js`) loads the adapters' built modules; this is the same module, so the
 * class patched here is the one Settle's registry uses. The bench also checks after the load that this
 * Settle counted no /healthz (bench/support/healthzOnly.ts).
 */
const module = new URL("../../packages/adapters/dist/metrics/httpDurations.js", import.meta.url)
const { HttpDurations } = (await import(module.href)) as {
  HttpDurations?: { prototype: Record<string, unknown> }
}

const prototype = HttpDurations?.prototype
if (typeof prototype?.observe !== "function")
  throw new Error(`Settle changed: ${module.pathname} has no HttpDurations.prototype.observe`)
prototype.observe = () => undefined
