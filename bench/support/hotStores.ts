import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import type * as Mongo from "../../packages/adapters/node_modules/mongodb/mongodb.js"
import {
  type MongoPeer,
  startFerretDB,
  startMongoJavaServer,
} from "../../packages/adapters/test/support/mongoPeers.js"
import { SECRETS } from "../../packages/server/test/e2e/support/shop.js"
import { couponNow, type HotShop, productNow } from "./hotShop.js"
import { startSettleWith, type Target } from "./targets.js"

const root = fileURLToPath(new URL("../..", import.meta.url))
const fromAdapters = createRequire(new URL("../../packages/adapters/package.json", import.meta.url))
const mongo = fromAdapters("mongodb") as typeof Mongo
const { BSON } = mongo

/** The largest stored document seen, in BSON bytes, and which one it was. */
export interface LargestDocument {
  readonly bytes: number
  readonly where: string
}

/** A Settle process on one store, and a way to weigh the documents it stores. */
export interface HotTarget {
  readonly settle: Target
  /**
   * The largest document holding the hot coupon's or product's capacity, after `placed` orders
   * (ids in checkout order) hold one unit of each.
   */
  readonly hotDocuments: (shop: HotShop, placed: ReadonlyArray<string>) => Promise<LargestDocument>
  /** The largest document of any collection: one full pass, for the end of a run. */
  readonly anyDocument: () => Promise<LargestDocument>
  /**
   * A coupon's reservation records counted by status, read from the store; null on the embedded
   * default, whose records no route lists (the drain then relies on the leak count and the repair).
   */
  readonly reservationsOf: (couponId: string) => Promise<Readonly<Record<string, number>> | null>
  readonly stop: () => Promise<number | null>
}

export interface HotStore {
  readonly name: string
  /** FerretDB: concurrent conditional writes race (docs/storage.md), so holds may be lost. */
  readonly nonAtomic: boolean
  /** Starts Settle on the store; `nodeArgs` go to its node (`--cpu-prof`, bench/support/options.ts). */
  readonly start: (nodeArgs: ReadonlyArray<string>) => Promise<HotTarget>
  /** A server of this kind for the holds-alone run (hotPlaces.ts); only where places are used (atomic). */
  readonly peer?: () => Promise<MongoPeer>
}

const larger = (a: LargestDocument, b: LargestDocument) => (b.bytes > a.bytes ? b : a)
const NONE: LargestDocument = { bytes: 0, where: "-" }

/** A stored document as the Mongo adapters write it: the admin view's fields, `id` as `_id`, dates as Dates. */
const asStored = (view: Readonly<Record<string, unknown>>): Mongo.Document => {
  const { id, ...fields } = view
  const dated = Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [
      name,
      typeof value === "string" && name.endsWith("At") ? new Date(value) : value,
    ]),
  )
  return { _id: id, ...dated }
}

/**
 * The embedded default keeps its documents in the server process, out of the bench's reach, so the
 * hot documents are rebuilt from what the API shows and weighed as BSON, as the Mongo adapters would
 * store them. The memory store keeps a coupon's and a product's holds beside the document, one entry
 * per hold in a per-document map (packages/adapters/src/memory/HoldBook.ts), so what it stores is the
 * admin view's fields alone and, apart, each hold (`<orderId>/0`, the order, one unit, a date, the
 * shape packages/domain/src/model/Hold.ts gives it); the largest of those is the largest document.
 */
const rebuiltDocuments = async (shop: HotShop, placed: ReadonlyArray<string>): Promise<LargestDocument> => {
  const last = placed.at(-1)
  const hold =
    last === undefined
      ? NONE
      : {
          bytes: BSON.calculateObjectSize({ key: `${last}/0`, orderId: last, quantity: 1, at: new Date() }),
          where: `a hold of ${shop.coupon.id}`,
        }
  const coupon = BSON.calculateObjectSize(asStored(await couponNow(shop)))
  const product = BSON.calculateObjectSize(asStored(await productNow(shop)))
  return larger(
    larger(
      { bytes: coupon, where: `coupons ${shop.coupon.id}` },
      { bytes: product, where: `products ${shop.product.id}` },
    ),
    hold,
  )
}

const embedded: HotStore = {
  name: "embedded",
  nonAtomic: false,
  start: async (nodeArgs) => {
    const settle = await startSettleWith("settle", SECRETS, [], nodeArgs)
    return {
      settle,
      hotDocuments: rebuiltDocuments,
      // Per-order documents do not grow with the holds on one coupon; only the hot ones are rebuilt.
      anyDocument: async () => NONE,
      reservationsOf: async () => null,
      stop: () => settle.stop(),
    }
  },
}

/** Collections of one document per order, event or record: their size does not grow with open holds. */
const PER_RECORD = new Set([
  "orders",
  "couponreservations",
  "stripewebhookevents",
  "ledgerentries",
  "auditrecords",
  "idempotencykeys",
  "jobleases",
  "mediaassets",
])

export const largestIn = async (db: Mongo.Db, names: ReadonlyArray<string>): Promise<LargestDocument> => {
  let found = NONE
  for (const name of names) {
    // Raw BSON buffers: their length is the stored size, with no decode and re-encode per document.
    const cursor = db.collection(name).find({}, { raw: true })
    for await (const raw of cursor) {
      const bytes = (raw as unknown as Uint8Array).byteLength
      if (bytes > found.bytes) {
        const { _id } = BSON.deserialize(raw as unknown as Uint8Array, { promoteValues: true })
        found = { bytes, where: `${name} ${String(_id)}` }
      }
    }
  }
  return found
}

/** Settle on a Mongo wire server, and the driver reading the same database to weigh its documents. */
const onMongo = async (
  name: string,
  url: string,
  nonAtomic: boolean,
  nodeArgs: ReadonlyArray<string>,
  peer?: MongoPeer,
): Promise<HotTarget> => {
  const database = `bench_hot_${Date.now()}`
  const settle = await startSettleWith(
    `settle@${name}`,
    {
      ...SECRETS,
      MONGO_URI: url,
      MONGO_DB_NAME: database,
      PAYMENTS: "sandbox",
      // FerretDB races conditional writes; Settle starts on it only when told so (docs/storage.md).
      ...(nonAtomic ? { ALLOW_NON_ATOMIC_STORE: "true" } : {}),
    },
    [],
    nodeArgs,
  )
  const client = new mongo.MongoClient(url, { maxPoolSize: 2 })
  await client.connect()
  const db = client.db(database)
  const collections = async () =>
    (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name)
  return {
    settle,
    // Every collection whose documents may hold capacity: products and coupons today, and whatever
    // collection a new design keeps its buckets or overflow holds in.
    hotDocuments: async () =>
      largestIn(
        db,
        (await collections()).filter((c) => !PER_RECORD.has(c)),
      ),
    anyDocument: async () => largestIn(db, await collections()),
    reservationsOf: async (couponId) => {
      const counts: Record<string, number> = {}
      for await (const { status } of db
        .collection("couponreservations")
        .find({ couponId }, { projection: { status: 1 } }))
        counts[String(status)] = (counts[String(status)] ?? 0) + 1
      return counts
    },
    stop: async () => {
      const code = await settle.stop()
      await db.dropDatabase().catch(() => undefined)
      await client.close()
      await peer?.stop()
      return code
    },
  }
}

const peerStore = (
  name: string,
  nonAtomic: boolean,
  startPeer: (root: string) => Promise<MongoPeer>,
): HotStore => ({
  name,
  nonAtomic,
  ...(nonAtomic ? {} : { peer: () => startPeer(root) }),
  start: async (nodeArgs) => {
    const peer = await startPeer(root)
    try {
      return await onMongo(name, peer.url, nonAtomic, nodeArgs, peer)
    } catch (error) {
      await peer.stop()
      throw error
    }
  },
})

/** The stores named, in order; MONGO_URL, when set, stands in for the loopback Mongo servers. */
export const hotStores = (names: ReadonlyArray<string>): ReadonlyArray<HotStore> => {
  const external = process.env.MONGO_URL
  const onExternal = external !== undefined && external !== ""
  const mongoStores: ReadonlyArray<HotStore> = onExternal
    ? [
        {
          name: "MONGO_URL",
          nonAtomic: false,
          start: (nodeArgs) => onMongo("MONGO_URL", external, false, nodeArgs),
          peer: async () => ({ url: external, stop: async () => undefined }),
        },
      ]
    : [
        peerStore("ferretdb", true, startFerretDB),
        peerStore("mongo-java-server", false, startMongoJavaServer),
      ]
  const wantsMongo = names.some((name) => name !== "embedded")
  return [embedded, ...mongoStores].filter((store) =>
    store.name === "MONGO_URL" ? wantsMongo : names.includes(store.name),
  )
}
