import type { ChildProcessByStdio } from "node:child_process"
import type { Readable } from "node:stream"

/** What a finished child process printed, and its exit code (null when a signal ended it). */
export interface ChildOutput {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Collects `child`'s stdout and stderr until it closes; fails when it could not be started. */
export const outputOf = (child: ChildProcessByStdio<null, Readable, Readable>): Promise<ChildOutput> =>
  new Promise((done, fail) => {
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.once("error", fail)
    child.once("close", (code) => done({ code, stdout, stderr }))
  })
