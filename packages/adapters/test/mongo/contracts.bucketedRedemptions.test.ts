import { CouponRepository } from "@settle/domain"
import { I3CouponCapacity as I3 } from "@settle/testkit/invariants"
import { CouponRepositorySuite } from "@settle/testkit/suites"
import { Effect, Layer } from "effect"
import { describe } from "vitest"
import { bucketedCouponRepository, REDEMPTIONS } from "../../src/mongo/capacity/bucketedCouponRepository.js"
import { MongoDatabase } from "../../src/mongo/MongoDatabase.js"
import * as MongoStorage from "../../src/mongo/MongoStorage.js"
import { freshDatabase, onFerretDB, serverName } from "../support/mongoStorage.js"

/**
 * The coupons on capacity buckets, not yet the repository MongoCouponRepository serves: the unchanged
 * CouponRepository contract and I3, with the production layout and with 4 buckets taking 2 units at a
 * time (transfers and steals on nearly every hold). Atomic servers only, as contracts.bucketedStock says.
 */
const repositoryWith = (bucketCount: number, chunk: number) =>
  Layer.effect(
    CouponRepository,
    Effect.map(MongoDatabase, ({ db, traits }) =>
      bucketedCouponRepository(db, traits, { ...REDEMPTIONS, bucketCount, chunk }),
    ),
  )

describe.skipIf(onFerretDB())(`coupon redemptions on capacity buckets (${serverName()})`, () => {
  for (const [bucketCount, chunk] of [
    [REDEMPTIONS.bucketCount, REDEMPTIONS.chunk],
    [4, 2],
  ] as const) {
    const coupons = repositoryWith(bucketCount, chunk)
    CouponRepositorySuite.suite(
      `bucketed coupons, K=${bucketCount} chunk=${chunk}`,
      coupons.pipe(Layer.provide(freshDatabase)),
    )
    I3.suite(
      `bucketed coupons, K=${bucketCount} chunk=${chunk}`,
      Layer.merge(MongoStorage.layer, coupons).pipe(Layer.provide(freshDatabase)),
      { runs: 2, slowdown: 100 },
    )
  }
})
