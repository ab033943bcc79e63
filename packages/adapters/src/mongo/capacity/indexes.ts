import type { IndexDescription } from "mongodb"

/**
 * A buckets collection's indexes: an owner's buckets in order (totals, repair, the exact refill's
 * collect) and by available units (a refill looking for a sibling with enough). `_id` finds the one
 * bucket of a key.
 */
export const BUCKET_INDEXES: ReadonlyArray<IndexDescription> = [
  { key: { owner: 1, b: 1 }, name: "owner_b" },
  { key: { owner: 1, available: 1 }, name: "owner_available" },
]
