import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface StripeMockPeer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly stop: () => Promise<void>
}

const LISTENING = /Listening for HTTP at address: (127\.0\.0\.1:\d+)/

/**
 * Starts stripe-mock on a loopback port the system picks, for the whole test run. `-http-addr` alone
 * still opens HTTPS on [::]:12112 (stripe-mock only switches its default HTTPS off for -http,
 * -http-port and -http-unix), so HTTPS is sent to a unix socket in a private directory instead.
 */
export const startStripeMock = async (repoRoot: string): Promise<StripeMockPeer> => {
  const bin = execFileSync("bash", [join(repoRoot, "scripts/peers/stripe-mock.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim()
  const dir = mkdtempSync(join(tmpdir(), "settle-stripe-mock-"))
  const child = spawn(bin, ["-http-addr", "127.0.0.1:0", "-https-unix", join(dir, "https.sock")], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM")
      await new Promise((resolve) => child.once("exit", resolve))
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let seen: string | null = ""
      const timer = setTimeout(() => reject(new Error("stripe-mock did not listen within 10 s")), 10_000)
      child.once("exit", (code) => reject(new Error(`stripe-mock exited with code ${code}`)))
      // stripe-mock logs every request on stdout: keep reading it after the address line, or the
      // pipe fills and stripe-mock blocks mid-test.
      child.stdout.on("data", (chunk: Buffer) => {
        if (seen === null) return
        seen += chunk.toString("utf8")
        const match = LISTENING.exec(seen)
        if (match?.[1] !== undefined) {
          seen = null
          clearTimeout(timer)
          resolve(match[1])
        }
      })
    })
    return { url: `http://${address}`, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
