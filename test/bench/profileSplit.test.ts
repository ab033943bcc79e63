import { describe, expect, it } from "vitest"
import { type CpuProfile, phasesOf, split } from "../../bench/support/profileSplit.js"

const frame = (functionName: string, url = "") => ({ functionName, url, lineNumber: 0 })
const STRIPE = "file:///app/node_modules/.pnpm/stripe@18.0.0/node_modules/stripe/esm/Webhooks.js"
const SCHEMA = "file:///app/node_modules/.pnpm/effect@3.17.0/node_modules/effect/dist/esm/ParseResult.js"
const STORE = "file:///app/packages/adapters/src/memory/Collection.ts"

// root → Stripe's verify → createHmac (a built-in, no URL); root → a decoder; root → a store's
// structuredClone; idle and GC at the top, as V8 records them.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 4, 5, 7, 8] },
    { id: 2, callFrame: frame("verifyHeader", STRIPE), children: [3] },
    { id: 3, callFrame: frame("createHmac") },
    { id: 4, callFrame: frame("parse", SCHEMA) },
    { id: 5, callFrame: frame("put", STORE), children: [6] },
    { id: 6, callFrame: frame("structuredClone") },
    { id: 7, callFrame: frame("(idle)") },
    { id: 8, callFrame: frame("(garbage collector)") },
  ],
  startTime: 1_000,
  endTime: 1_700,
  samples: [3, 3, 4, 6, 7, 7, 8],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100],
}

describe("profile split", () => {
  it("counts a built-in for its caller's layer and leaves idle out", () => {
    const all = split(profile, { name: "all", ranges: [[1_000, 1_700]] })
    expect(all.sampledUs).toBe(700)
    expect(all.busyUs).toBe(500)
    expect(Object.fromEntries(all.layers)).toEqual({
      "Stripe SDK (signature, parse)": 200,
      "effect/Schema decode": 100,
      "stores (Settle adapters)": 100,
      GC: 100,
    })
  })

  it("splits only the samples inside a phase's windows, windows of one name together", () => {
    const [phase] = phasesOf([
      { name: "deliveries", from: 1_050, to: 1_150 },
      { name: "deliveries", from: 1_350, to: 1_450 },
    ])
    const inPhase = split(profile, phase ?? { name: "none", ranges: [] })
    expect(inPhase.phase.ranges).toHaveLength(2)
    // Samples at 1 100 (the HMAC) and 1 400 (the copy); the Schema sample at 1 300 falls between.
    expect(Object.fromEntries(inPhase.layers)).toEqual({
      "Stripe SDK (signature, parse)": 100,
      "stores (Settle adapters)": 100,
    })
    expect(inPhase.sampledUs).toBe(200)
  })
})
