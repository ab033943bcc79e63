/** What a scrape serves: the latest values read, and whether they are older than the last attempt. */
export interface Snapshot<A> {
  /** Null until a read succeeds. */
  readonly value: A | null
  /** True when the latest attempt failed or timed out, so `value` (if any) is from an earlier one. */
  readonly stale: boolean
}

export interface ThrottleOptions {
  /** A new read starts at most this often; scrapes in between are served the last snapshot. */
  readonly everyMs: number
  /** A read taking longer is given up on: the scrape gets the last values, marked stale. */
  readonly timeoutMs: number
  readonly now?: () => number
}

/**
 * Reads through `read` at most once per `everyMs`, however many scrapes ask: concurrent callers share
 * the one read in flight, and none waits longer than `timeoutMs` for it. The read itself is bounded
 * by the caller's Effect timeout; this only keeps the answer bounded and shared.
 */
export const throttledCollection = <A>(read: () => Promise<A>, options: ThrottleOptions) => {
  const now = options.now ?? Date.now
  let snapshot: Snapshot<A> = { value: null, stale: true }
  let attemptedAt = Number.NEGATIVE_INFINITY
  let inFlight: Promise<Snapshot<A>> | null = null

  const attempt = (): Promise<Snapshot<A>> => {
    attemptedAt = now()
    const settled = read().then(
      (value): Snapshot<A> => ({ value, stale: false }),
      (): Snapshot<A> => ({ value: snapshot.value, stale: true }),
    )
    inFlight = settled.then((next) => {
      snapshot = next
      inFlight = null
      return next
    })
    return inFlight
  }

  const withinBound = (pending: Promise<Snapshot<A>>): Promise<Snapshot<A>> => {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<Snapshot<A>>((resolve) => {
      timer = setTimeout(() => resolve({ value: snapshot.value, stale: true }), options.timeoutMs)
      timer.unref()
    })
    return Promise.race([pending, late]).finally(() => clearTimeout(timer))
  }

  return {
    current: (): Promise<Snapshot<A>> => {
      if (inFlight !== null) return withinBound(inFlight)
      if (now() - attemptedAt < options.everyMs) return Promise.resolve(snapshot)
      return withinBound(attempt())
    },
  }
}
