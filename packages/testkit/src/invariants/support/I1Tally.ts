import { CouponRepository, Ledger, OrderRepository, ProductCatalog } from "@settle/domain"
import { Context, Effect, Layer, Option } from "effect"
import { aroundCalls, type PortRewrite, portRewrite, rewriteLayer } from "../../faults/PortCalls.js"
import type { StoragePorts } from "../../world.js"
import { quietWorld, type WorldServices } from "./scenario.js"

/**
 * How many times each finalization write took effect, as its port answered: markFinalized returning the
 * order, a ledger append "appended", a stock or coupon hold "committed". End states can hide a second
 * write (a processedAt rewritten with the same instant, a counter moved twice and back); these cannot.
 */
export interface WriteTally {
  readonly counts: Map<string, number>
}

export const WriteTally = Context.GenericTag<WriteTally>("@settle/testkit/I1WriteTally")

/** What the suites' runtimes provide: the world and the tally of its finalization writes. */
export type TalliedServices = WorldServices | WriteTally

export type TalliedWrite = "finalized" | "ledger_appended" | "stock_committed" | "coupon_redeemed"

const tallying = <Id, S extends object>(
  tag: Context.Tag<Id, S>,
  method: string,
  write: TalliedWrite,
  tookEffect: (result: unknown) => boolean,
): PortRewrite<Id, WriteTally> =>
  portRewrite(tag, (service, tally) =>
    aroundCalls(service, (called, call) =>
      called !== method
        ? call
        : Effect.tap(call, (result) =>
            Effect.sync(() => {
              if (tookEffect(result)) tally.counts.set(write, (tally.counts.get(write) ?? 0) + 1)
            }),
          ),
    ),
  )

const tallied = [
  tallying(OrderRepository, "markFinalized", "finalized", (r) => Option.isOption(r) && Option.isSome(r)),
  tallying(Ledger, "append", "ledger_appended", (r) => r === "appended"),
  tallying(ProductCatalog, "commitHold", "stock_committed", (r) => r === "committed"),
  tallying(CouponRepository, "redeemHold", "coupon_redeemed", (r) => r === "committed"),
] as const

/** The quiet world of `storage` with its finalization writes counted in a fresh WriteTally. */
export const talliedWorld = <E>(storage: Layer.Layer<StoragePorts, E>): Layer.Layer<TalliedServices, E> =>
  Layer.provideMerge(
    rewriteLayer(quietWorld(storage), WriteTally, tallied),
    Layer.sync(WriteTally, () => ({ counts: new Map<string, number>() })),
  )

export const tallyOf = Effect.map(
  WriteTally,
  (tally): Record<TalliedWrite, number> => ({
    finalized: tally.counts.get("finalized") ?? 0,
    ledger_appended: tally.counts.get("ledger_appended") ?? 0,
    stock_committed: tally.counts.get("stock_committed") ?? 0,
    coupon_redeemed: tally.counts.get("coupon_redeemed") ?? 0,
  }),
)
