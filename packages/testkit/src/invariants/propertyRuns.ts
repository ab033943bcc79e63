/**
 * Runs per property: small by default so `./settle test` stays fast; `SETTLE_PROPERTY_RUNS=<n>` sets
 * every property to n for a deep run (`SETTLE_PROPERTY_RUNS=2000 ./settle test`).
 */
export const propertyRuns = (fallback: number): number => {
  const raw = process.env.SETTLE_PROPERTY_RUNS
  const parsed = raw === undefined ? Number.NaN : Number.parseInt(raw, 10)
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback
}
