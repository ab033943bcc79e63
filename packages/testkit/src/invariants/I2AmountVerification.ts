import type { Layer } from "effect"
import * as fc from "fast-check"
import { describe, it } from "vitest"
import type { StoragePorts } from "../world.js"
import { type PropertyOptions, propertyRuns, propertyTimeout, yieldingEachRun } from "./propertyRuns.js"
import { tampering, verifyTampered } from "./support/I2Tampering.js"
import { shop } from "./support/scenario.js"

/**
 * DESIGN.md §6, I2: no order is confirmed unless amount and currency match, whichever path sees the
 * payment first (webhook, reconciler, operator replay). `storage` must build an empty database each time.
 */
export const suite = <E>(
  name: string,
  storage: Layer.Layer<StoragePorts, E>,
  options: PropertyOptions = {},
) =>
  describe(`${name}: I2 amount verification`, () => {
    const numRuns = options.runs ?? propertyRuns(120)
    it(
      "I2 a tampered amount or currency never confirms: held for review, acknowledged, nothing committed",
      () =>
        fc.assert(
          fc.asyncProperty(
            shop(),
            tampering,
            yieldingEachRun((drawn, plan) => verifyTampered(storage, drawn, plan)),
          ),
          { numRuns },
        ),
      // Measured up to 19 ms a run.
      propertyTimeout(numRuns, 80, options),
    )
  })
