import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startStripeMock } from "../stripe/stripeMockPeer.js"
import { startFerretDB } from "./mongoPeers.js"

/**
 * The servers the Mongo suites run on (vitest.config.ts makes one project per server): FerretDB v1
 * and mongo-java-server on loopback, or "external", a MongoDB given by MONGO_URL.
 */
export type MongoServerKind = "ferretdb" | "mongo-java-server" | "external"

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the Mongo suites connect: MONGO_URL, or the server started on loopback for the project. */
    mongoUrl: string
    /** Which server `mongoUrl` is: each Mongo project names its own, the other projects get FerretDB. */
    mongoServer: MongoServerKind
    /** Where the Stripe adapter suites send API calls: STRIPE_MOCK_URL, or the stripe-mock started here. */
    stripeMockUrl: string
  }
}

const repoRoot = join(import.meta.dirname, "../../../..")

/** stripe-mock on loopback (or STRIPE_MOCK_URL) for the Stripe adapter suites; returns its teardown. */
const provideStripeMock = async (project: TestProject): Promise<() => Promise<void>> => {
  const external = process.env.STRIPE_MOCK_URL
  if (external) {
    project.provide("stripeMockUrl", external)
    return async () => {}
  }
  const peer = await startStripeMock(repoRoot)
  project.provide("stripeMockUrl", peer.url)
  return peer.stop
}

/**
 * The run's default Mongo server, for every project that does not start its own: MONGO_URL, or
 * FerretDB. The mongo:ferretdb project uses it, and so do tests outside the Mongo projects that still
 * inject `mongoUrl`. Returns its teardown.
 */
const provideMongo = async (project: TestProject): Promise<() => Promise<void>> => {
  const external = process.env.MONGO_URL
  if (external) {
    project.provide("mongoUrl", external)
    project.provide("mongoServer", "external")
    return async () => {}
  }
  const peer = await startFerretDB(repoRoot)
  project.provide("mongoUrl", peer.url)
  project.provide("mongoServer", "ferretdb")
  return peer.stop
}

/**
 * The root project's setup, run once per test run whatever projects run: what it provides, every
 * project inherits (a project's own setup may override it, as mongoJavaServerSetup.ts does).
 */
export default async function setup(project: TestProject) {
  const stopStripeMock = await provideStripeMock(project)
  try {
    const stopMongo = await provideMongo(project)
    return async () => {
      await stopMongo()
      await stopStripeMock()
    }
  } catch (error) {
    await stopStripeMock()
    throw error
  }
}
