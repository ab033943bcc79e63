import { type JobLease, JobLeases, mayTake } from "@settle/domain"
import { Effect, Layer } from "effect"
import { byText, makeCollection } from "./Collection.js"

export const make: Effect.Effect<JobLeases> = Effect.sync(() => {
  // Each call reads and writes in one synchronous step: the memory twin of the store's atomic write.
  const leases = makeCollection<JobLease>({ order: byText((lease) => lease.job) })

  const service: JobLeases = {
    acquire: (job, holder, now, ttlMs) =>
      Effect.sync(() => {
        const current = leases.peek(job)
        if (!mayTake(current ?? null, holder, now)) return false
        const renewal = current?.holder === holder && current.acquiredAt !== null
        leases.put(job, {
          job,
          holder,
          acquiredAt: renewal ? current.acquiredAt : now,
          expiresAt: new Date(now.getTime() + ttlMs),
          lastRun: current?.lastRun ?? null,
        })
        return true
      }),

    release: (job, holder, run) =>
      Effect.sync(() => {
        const current = leases.peek(job)
        if (current === undefined || current.holder !== holder) return
        leases.put(job, {
          job,
          holder: null,
          acquiredAt: null,
          expiresAt: null,
          lastRun: run ?? current.lastRun,
        })
      }),

    list: () => Effect.sync(() => leases.walk()),
  }
  return service
})

export const layer: Layer.Layer<JobLeases> = Layer.effect(JobLeases, make)
