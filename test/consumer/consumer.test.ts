import { execFile, spawn } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

/**
 * Settle from outside its repository, as a service that installs it from npm would have it: every
 * package packed, the tarballs installed with npm into a scratch project outside the workspace, then
 * (a) a plain `node` ESM script, (b) `tsc` with `tsc --init` defaults, (c) vitest with the testkit's
 * contract suites. docs/embedding.md walks through the same steps.
 */
const root = resolve(import.meta.dirname, "../..")
const fixture = join(import.meta.dirname, "fixture")
const PACKAGES = ["domain", "adapters", "testkit", "server"] as const
const INSTALL_MS = 300_000

const versionOf = (name: string): string =>
  (
    JSON.parse(readFileSync(join(root, "packages/testkit/node_modules", name, "package.json"), "utf8")) as {
      version: string
    }
  ).version

const pnpm = (): string => {
  const pinned = join(root, ".tools/node_modules/.bin/pnpm")
  return existsSync(pinned) ? pinned : "pnpm"
}

interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * A command with a clean environment (nothing of the workspace leaks in), run asynchronously: a
 * minutes-long npm install must not block the worker that reports to vitest.
 */
const run = (cwd: string, command: string, args: ReadonlyArray<string>, timeout = INSTALL_MS): Promise<Run> =>
  new Promise((done) => {
    const child = spawn(command, args, {
      cwd,
      timeout,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.once("error", (error) => done({ status: null, stdout, stderr: `${stderr}${String(error)}` }))
    child.once("close", (status) => done({ status, stdout, stderr }))
  })

/** Like `run` in the workspace, failing the setup with the command's output when it fails. */
const must = async (cwd: string, command: string, args: ReadonlyArray<string>): Promise<string> => {
  const result = await run(cwd, command, args)
  if (result.status !== 0) throw new Error(explain(`${command} ${args.join(" ")}`, result))
  return result.stdout
}

const tar = (args: ReadonlyArray<string>): Promise<string> =>
  new Promise((done, fail) =>
    execFile("tar", args, { encoding: "utf8" }, (error, stdout) => (error ? fail(error) : done(stdout))),
  )

const explain = (what: string, result: Run): string =>
  `${what} exited ${result.status}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`

let scratch = ""
let tarballs: Record<(typeof PACKAGES)[number], string>

beforeAll(async () => {
  // The tarballs hold what the build emits; `./settle test` builds first, this keeps a lone run honest.
  await must(root, join(root, "node_modules/.bin/tsc"), ["-b", "packages/server", "packages/testkit"])
  scratch = mkdtempSync(join(tmpdir(), "settle-consumer-"))
  const packed = join(scratch, "tarballs")
  const packedOne = async (pkg: (typeof PACKAGES)[number]) => {
    const out = await must(join(root, "packages", pkg), pnpm(), ["pack", "--pack-destination", packed])
    const tarball = readdirSync(packed).find((file) => file.startsWith(`settle-${pkg}-`))
    if (tarball === undefined) throw new Error(`pnpm pack made no tarball for ${pkg}:\n${out}`)
    return [pkg, join(packed, tarball)] as const
  }
  const entries = []
  for (const pkg of PACKAGES) entries.push(await packedOne(pkg))
  tarballs = Object.fromEntries(entries) as typeof tarballs
  const project = join(scratch, "shop")
  mkdirSync(project, { recursive: true })
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "shop", private: true, type: "module" }, null, 2),
  )
  await must(project, "npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    ...PACKAGES.map((pkg) => tarballs[pkg]),
    `effect@${versionOf("effect")}`,
    `vitest@${versionOf("vitest")}`,
    `typescript@${JSON.parse(readFileSync(join(root, "node_modules/typescript/package.json"), "utf8")).version}`,
  ])
  for (const file of ["embed.ts", "contracts.spec.ts"]) copyFileSync(join(fixture, file), join(project, file))
}, INSTALL_MS + 120_000)

afterAll(() => {
  if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
})

const shop = () => join(scratch, "shop")

describe("Settle installed from its tarballs into a plain Node project", () => {
  it("packs each package with its build, types, README and license, and no workspace protocol", async () => {
    for (const pkg of PACKAGES) {
      const listing = (await tar(["-tzf", tarballs[pkg]])).split("\n")
      expect(listing).toEqual(
        expect.arrayContaining([
          "package/dist/index.js",
          "package/dist/index.d.ts",
          "package/README.md",
          "package/LICENSE",
        ]),
      )
      expect(listing.filter((file) => file.includes("tsbuildinfo"))).toEqual([])
      const manifest = await tar(["-xzOf", tarballs[pkg], "package/package.json"])
      expect(manifest).not.toContain("workspace:")
      expect(JSON.parse(manifest)).not.toHaveProperty("private")
    }
  })

  it("(b) type-checks a TypeScript consumer under `tsc --init` defaults with nodenext", async () => {
    const init = await run(shop(), "npx", ["tsc", "--init"])
    expect(init.status, explain("tsc --init", init)).toBe(0)
    const config = readFileSync(join(shop(), "tsconfig.json"), "utf8")
    // `tsc --init` already says `"module": "nodenext"`; the resolution is spelled out beside it.
    writeFileSync(
      join(shop(), "tsconfig.json"),
      config.replace(/"module":\s*"nodenext",/, `"module": "nodenext",\n    "moduleResolution": "nodenext",`),
    )
    expect(readFileSync(join(shop(), "tsconfig.json"), "utf8")).toContain(`"moduleResolution": "nodenext"`)
    const tsc = await run(shop(), "npx", ["tsc", "-p", "."])
    expect(tsc.status, explain("tsc", tsc)).toBe(0)
    expect(existsSync(join(shop(), "embed.js"))).toBe(true)
  })

  it("(a) runs a plain node ESM script from checkout through a signed payment event to confirmed", async () => {
    const node = await run(shop(), process.execPath, ["embed.js"], 60_000)
    expect(node.status, explain("node embed.js", node)).toBe(0)
    const result = JSON.parse(node.stdout.trim().split("\n").at(-1) ?? "{}")
    expect(result).toMatchObject({ outcome: "Processed", status: "confirmed" })
  })

  it("(c) runs the testkit's port contract suites on an adapter of the consumer's own", async () => {
    const report = join(shop(), "vitest-report.json")
    const vitest = await run(
      shop(),
      "npx",
      ["vitest", "run", "--reporter=json", `--outputFile=${report}`],
      180_000,
    )
    expect(vitest.status, explain("vitest run", vitest)).toBe(0)
    const summary = JSON.parse(readFileSync(report, "utf8")) as {
      numPassedTests: number
      numFailedTests: number
    }
    expect(summary.numFailedTests).toBe(0)
    expect(summary.numPassedTests).toBeGreaterThan(20)
  })

  it("refuses, at install, a host whose effect is another major than the one Settle is tested with", async () => {
    const other = join(scratch, "effect4")
    mkdirSync(other, { recursive: true })
    writeFileSync(
      join(other, "package.json"),
      JSON.stringify({ name: "host", private: true, type: "module" }),
    )
    const install = await run(other, "npm", [
      "install",
      "--dry-run",
      "--no-audit",
      "--no-fund",
      "effect@4",
      tarballs.domain,
    ])
    expect(install.status).not.toBe(0)
    expect(install.stderr).toContain("ERESOLVE")
    expect(install.stderr).toMatch(/peer effect@"?>=3\.22\.4 <4/)
  })
})
