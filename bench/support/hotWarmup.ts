/**
 * Warm-up before a hot table's first batch, so its rate (the ratio's baseline) is not the JITs' (Node's,
 * and the JVM's of mongo-java-server, which took about 3 000 checkouts to reach its rate): rounds of
 * checkouts, each on a small coupon and product of its own, so no document of the warm-up is hot.
 */
export const WARMUP_ROUNDS = 10
export const WARMUP_ROUND = 200
