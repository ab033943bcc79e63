import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer, Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startStripeMock } from "../stripe/stripeMockPeer.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the Mongo suites connect: MONGO_URL, or the FerretDB this setup started on loopback. */
    mongoUrl: string
    /** "ferretdb" when the suites run on the FerretDB started here, "external" for MONGO_URL. */
    mongoServer: "ferretdb" | "external"
    /** Where the Stripe adapter suites send API calls: STRIPE_MOCK_URL, or the stripe-mock started here. */
    stripeMockUrl: string
  }
}

const repoRoot = join(import.meta.dirname, "../../../..")

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      )
    })
  })

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket()
    socket.once("connect", () => resolve(socket.destroy() === socket))
    socket.once("error", () => resolve(false))
    socket.connect(port, "127.0.0.1")
  })

const waitForPort = async (port: number, child: ChildProcess) => {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}`)
    if (await accepts(port)) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`FerretDB did not listen on 127.0.0.1:${port} within 10 s`)
}

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

/** A real wire-protocol server for the Mongo suites: MONGO_URL, or FerretDB; returns its teardown. */
const provideMongo = async (project: TestProject): Promise<() => Promise<void>> => {
  const external = process.env.MONGO_URL
  if (external) {
    project.provide("mongoUrl", external)
    project.provide("mongoServer", "external")
    return async () => {}
  }
  const bin = execFileSync("bash", [join(repoRoot, "scripts/peers/ferretdb.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim()
  const dir = mkdtempSync(join(tmpdir(), "settle-ferretdb-"))
  const port = await freePort()
  const child = spawn(
    bin,
    [
      "--handler=sqlite",
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      "--debug-addr=-",
      "--telemetry=disable",
      "--log-level=error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  )
  await waitForPort(port, child)
  project.provide("mongoUrl", `mongodb://127.0.0.1:${port}/`)
  project.provide("mongoServer", "ferretdb")
  return async () => {
    child.kill("SIGTERM")
    if (child.exitCode === null) await new Promise((resolve) => child.once("exit", resolve))
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Gives the Mongo suites a real wire-protocol server and the Stripe suites stripe-mock, on loopback. */
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
