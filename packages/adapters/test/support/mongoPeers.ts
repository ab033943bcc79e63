import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./freePort.js"

/** A wire-protocol server the Mongo suites run on, started on loopback for the whole test run. */
export interface MongoPeer {
  /** `mongodb://127.0.0.1:<port>/` */
  readonly url: string
  readonly stop: () => Promise<void>
}

const peerCommand = (repoRoot: string, script: string) =>
  execFileSync("bash", [join(repoRoot, "scripts/peers", script)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim()

const stopChild = async (child: ChildProcess) => {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM")
    await new Promise((resolve) => child.once("exit", resolve))
  }
}

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

/** FerretDB v1.24.2 on SQLite in a private directory (scripts/peers/ferretdb.sh builds it once). */
export const startFerretDB = async (repoRoot: string): Promise<MongoPeer> => {
  const bin = peerCommand(repoRoot, "ferretdb.sh")
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
  const stop = async () => {
    await stopChild(child)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitForPort(port, child)
    return { url: `mongodb://127.0.0.1:${port}/`, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

const READY = /^ready (127\.0\.0\.1:\d+)$/m

/**
 * mongo-java-server 1.47.0 with its in-memory backend (scripts/peers/mongo-java-server.sh builds the
 * launcher once). It binds a port it picks itself and says which, so no port can be taken between a
 * probe and the bind. A JVM starts in about a second; 30 s leaves room for a loaded machine.
 */
export const startMongoJavaServer = async (repoRoot: string): Promise<MongoPeer> => {
  const child = spawn(peerCommand(repoRoot, "mongo-java-server.sh"), ["0"], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const stop = () => stopChild(child)
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let seen = ""
      const timer = setTimeout(() => reject(new Error("mongo-java-server was not ready within 30 s")), 30_000)
      child.once("exit", (code) => reject(new Error(`mongo-java-server exited with code ${code}`)))
      child.stdout.on("data", (chunk: Buffer) => {
        seen += chunk.toString("utf8")
        const match = READY.exec(seen)
        if (match?.[1] !== undefined) {
          clearTimeout(timer)
          resolve(match[1])
        }
      })
    })
    return { url: `mongodb://${address}/`, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
