/**
 * Splits a V8 CPU profile (`node --cpu-prof`, `pnpm bench --cpu-prof <dir>`) into the layers
 * docs/performance.md reports: each sample goes to the nearest frame, from the one executing up
 * through its callers, that belongs to a known layer. Built-ins and Node internals (JSON.parse,
 * structuredClone, crypto, timers) count for whoever called them, so the HMAC of a webhook's
 * signature lands on the Stripe SDK and a store's structuredClone on the stores; only Node's HTTP
 * and socket code is a layer of its own. Idle time is left out.
 */

export interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

export interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
}

export interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  /** Microseconds on the monotonic clock (process.hrtime in the same machine's processes). */
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export const IDLE = "(idle)"
const GC = "GC"
const UNATTRIBUTED = "V8 / Node internals, no caller in a layer"

// The package a URL is in, through pnpm's node_modules/.pnpm/<name@version>/node_modules/<name>/.
const PACKAGE = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//

const KOA = new Set([
  "koa",
  "@koa/router",
  "@koa/cors",
  "koa-compose",
  "path-to-regexp",
  "parseurl",
  "on-finished",
  "statuses",
  "accepts",
  "type-is",
  "content-type",
  "negotiator",
  "mime-types",
  "http-errors",
  "delegates",
  "cookies",
  "encodeurl",
  "escape-html",
  "fresh",
  "vary",
  "destroy",
  "only",
  "cache-content-type",
  "http-assert",
  "raw-body",
  "co-body",
  "content-disposition",
  "media-typer",
  "ee-first",
  "bytes",
  "iconv-lite",
  "debug",
])
const PINO = new Set([
  "pino",
  "sonic-boom",
  "thread-stream",
  "fast-redact",
  "quick-format-unescaped",
  "atomic-sleep",
  "on-exit-leak-free",
  "safe-stable-stringify",
  "pino-std-serializers",
])
const PROM = new Set(["prom-client", "tdigest", "bintrees"])
const STORE_DRIVER = new Set(["mongodb", "bson", "mongodb-connection-string-url"])
const LOADER = new Set(["tsx", "esbuild", "get-tsconfig", "@esbuild/linux-x64"])
// Node's own HTTP server and socket code; other Node internals count for their caller.
const NODE_HTTP =
  /^node:(?:_http_\w+|http|https|net|stream|internal\/(?:http|net|stream_base_commons|streams\/[\w/]+|js_stream_socket))$/
const EFFECT_SCHEMA =
  /\/effect\/dist\/(?:esm|cjs)\/(?:Schema|ParseResult|SchemaAST|Arbitrary|Pretty|internal\/schema\/)/

/** The layer a frame belongs to, or undefined for one that counts for its caller. */
export const layerOf = (frame: CallFrame): string | undefined => {
  const { functionName: fn, url } = frame
  if (fn === IDLE) return IDLE
  if (fn === "(garbage collector)") return GC
  if (fn === "(program)") return "(program): V8 outside JavaScript"
  if (NODE_HTTP.test(url)) return "node http/net"
  const pkg = PACKAGE.exec(url)?.[1]
  if (pkg !== undefined) {
    if (KOA.has(pkg)) return "Koa + router"
    if (pkg === "stripe") return "Stripe SDK (signature, parse)"
    if (pkg === "effect") return EFFECT_SCHEMA.test(url) ? "effect/Schema decode" : "Effect runtime"
    if (PINO.has(pkg)) return "pino"
    if (PROM.has(pkg)) return "prom-client"
    if (STORE_DRIVER.has(pkg)) return "stores (mongodb driver)"
    if (LOADER.has(pkg)) return "tsx (module loading)"
    return `npm: ${pkg}`
  }
  if (/packages\/adapters\/(?:src|dist)\/(?:memory|mongo)\//.test(url)) return "stores (Settle adapters)"
  if (/packages\/server\/(?:src|dist)\/http\//.test(url)) return "Settle HTTP (middleware, routes)"
  if (/packages\/domain\//.test(url)) return "Settle domain (use-cases)"
  if (/packages\/adapters\//.test(url)) return "Settle adapters (Stripe, metrics, logging, sandbox)"
  if (/packages\/server\//.test(url)) return "Settle server (other)"
  if (url.startsWith("node:internal/modules") || url.startsWith("node:internal/main")) return "module loading"
  if (url.startsWith("file://") || url.startsWith("/")) return "other files"
  return undefined
}

export interface Window {
  readonly name: string
  /** Monotonic microseconds, as the profile's timestamps. */
  readonly from: number
  readonly to: number
}

/** Windows of one name, split as one (every batch of a phase). */
export interface Phase {
  readonly name: string
  readonly ranges: ReadonlyArray<readonly [from: number, to: number]>
}

export const phasesOf = (windows: ReadonlyArray<Window>): Array<Phase> => {
  const byName = new Map<string, Array<readonly [number, number]>>()
  for (const w of windows) byName.set(w.name, [...(byName.get(w.name) ?? []), [w.from, w.to] as const])
  return [...byName].map(([name, ranges]) => ({ name, ranges }))
}

export interface Split {
  readonly phase: Phase
  /** Microseconds sampled in the window, and of them not idle. */
  readonly sampledUs: number
  readonly busyUs: number
  /** Busy microseconds by layer, largest first. */
  readonly layers: ReadonlyArray<readonly [string, number]>
  /** Self time of the busiest functions, as `name (file:line)`, largest first. */
  readonly functions: ReadonlyArray<readonly [string, number]>
}

const sorted = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1])

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\/.*?\/(packages|node_modules)\//, "$1/")
    .replace(/^.*node_modules\/\.pnpm\/[^/]+\//, "")

/** The split of the samples taken inside `phase`'s windows. */
export const split = (profile: CpuProfile, phase: Phase, topFunctions = 15): Split => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const layerOfNode = new Map<number, string>()
  const resolve = (id: number): string => {
    const known = layerOfNode.get(id)
    if (known !== undefined) return known
    const node = byId.get(id)
    const up = parent.get(id)
    const layer =
      (node === undefined ? undefined : layerOf(node.callFrame)) ??
      (up === undefined ? UNATTRIBUTED : resolve(up))
    layerOfNode.set(id, layer)
    return layer
  }
  const layers = new Map<string, number>()
  const functions = new Map<string, number>()
  let sampled = 0
  let busy = 0
  let at = profile.startTime
  for (const [i, id] of profile.samples.entries()) {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (!phase.ranges.some(([from, to]) => at >= from && at <= to)) continue
    sampled += delta
    const layer = resolve(id)
    if (layer === IDLE) continue
    busy += delta
    layers.set(layer, (layers.get(layer) ?? 0) + delta)
    const frame = byId.get(id)?.callFrame
    const name = `${frame?.functionName || "(anonymous)"} (${shortUrl(frame?.url ?? "") || "native"}${frame?.url ? `:${(frame?.lineNumber ?? 0) + 1}` : ""})`
    functions.set(name, (functions.get(name) ?? 0) + delta)
  }
  return {
    phase,
    sampledUs: sampled,
    busyUs: busy,
    layers: sorted(layers),
    functions: sorted(functions).slice(0, topFunctions),
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`
const share = (us: number, of: number) => `${of > 0 ? ((100 * us) / of).toFixed(1) : "0.0"} %`.padStart(7)

/** The split as text, one layer a line, as the doc reports it. */
export const formatSplit = (s: Split, profileStart: number): string => {
  const at = (us: number) => `${((us - profileStart) / 1e6).toFixed(1)} s`
  const { ranges } = s.phase
  const first = ranges[0]
  const last = ranges[ranges.length - 1]
  const span =
    first === undefined || last === undefined
      ? "no window"
      : `${ranges.length === 1 ? "" : `${ranges.length} windows, `}${at(Math.max(first[0], profileStart))} to ${at(last[1])} of the profile`
  const head = `${s.phase.name} (${span}): ${ms(s.sampledUs)} sampled, ${ms(s.busyUs)} busy (idle left out)`
  const layers = s.layers.map(([layer, us]) => `${share(us, s.busyUs)}  ${ms(us).padStart(9)}  ${layer}`)
  const functions = s.functions.map(([name, us]) => `${share(us, s.busyUs)}  ${name}`)
  return [head, ...layers, "  busiest functions (self time):", ...functions].join("\n")
}
