import { createRequire } from "node:module"

/**
 * Preloaded (`--import`) into a Settle process to measure what http_request_duration_seconds costs
 * per request: prom-client's histograms observe nothing, everything else runs as deployed (the
 * access log's timing pass and the label normalization included). Settle's only histogram is that
 * one. Bench-only: no setting of Settle's turns its metrics off, and none should.
 */
const fromAdapters = createRequire(new URL("../../packages/adapters/package.json", import.meta.url))
const { Histogram } = fromAdapters("prom-client") as { Histogram: { prototype: Record<string, unknown> } }

// The constructor picks observeWithoutExemplar as the instance's `observe`: replaced before Settle builds its registry.
const prototype = Histogram.prototype
if (typeof prototype.observeWithoutExemplar !== "function")
  throw new Error("prom-client changed: Histogram.prototype.observeWithoutExemplar is gone")
prototype.observeWithoutExemplar = () => undefined
