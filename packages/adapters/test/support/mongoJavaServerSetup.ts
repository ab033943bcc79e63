import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startMongoJavaServer } from "./mongoPeers.js"

const repoRoot = join(import.meta.dirname, "../../../..")

/**
 * The mongo:mongo-java-server project's setup: its own server, overriding the FerretDB the root
 * setup provides to every project. Only runs when that project has test files in the run.
 */
export default async function setup(project: TestProject) {
  const peer = await startMongoJavaServer(repoRoot)
  project.provide("mongoUrl", peer.url)
  project.provide("mongoServer", "mongo-java-server")
  return peer.stop
}
