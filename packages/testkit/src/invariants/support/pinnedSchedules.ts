import { it } from "vitest"
import type { PropertyOptions } from "../propertyRuns.js"

export interface PinnedScheduleOptions extends PropertyOptions {
  /**
   * False on a store over the network: a pinned interleaving names port calls by the order in which
   * they were scheduled, which there depends on I/O timing, so the replay may wait forever for a call.
   * The random schedules of the suite's properties still run.
   */
  readonly replayPinnedSchedules?: boolean
}

/** `it` for a regression that replays a pinned schedule: skipped, visibly, where it cannot replay. */
export const pinnedIt = (
  options: PinnedScheduleOptions,
): ((title: string, run: () => Promise<unknown>, timeout?: number) => void) =>
  options.replayPinnedSchedules === false ? it.skip : it
