import { type ChildProcess, spawn } from "node:child_process"
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, relative, sep } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  copyFrom,
  envOf,
  execForm,
  healthcheckCommand,
  lastOf,
  readStages,
  repoRoot,
  stageNamed,
} from "./dockerfile.js"
import { probePaths } from "./manifests.js"

/**
 * The Dockerfile, run as far as this machine allows without Docker: its build stage's RUN on a clean
 * copy of the tree, then its runtime stage's CMD with its ENV in its WORKDIR (the artifact), its
 * HEALTHCHECK against that server, and a SIGTERM drain.
 */

// Installing from the warm store takes seconds; tsc on the server's three packages takes most of the
// rest (about 40 s on an idle 2-core machine). The margin is for a machine busy with other suites.
const BUILD_TIMEOUT_MS = 180_000
const DRAIN_DELAY_SECONDS = 1

/** Test and build tooling: none of it may reach production, however deep. */
const DEV_ONLY = ["tsx", "vitest", "typescript", "@settle/testkit", "esbuild", "vite", "@biomejs/biome"]
const isDevOnly = (name: string) => DEV_ONLY.includes(name) || name.startsWith("@vitest/")

const stages = readStages()
const build = stageNamed(stages, "build")
const runtime = stageNamed(stages, "runtime")

/** The build stage's `RUN … scripts/deploy/build-artifact.sh <outdir>`, and its <outdir>. */
const artifactRun = (() => {
  const command = build.instructions
    .filter((i) => i.keyword === "RUN")
    .map((i) => i.args.replace(/^(--\S+\s+)*/, ""))
    .find((text) => text.includes("scripts/deploy/build-artifact.sh"))
  const outdir = command === undefined ? undefined : /build-artifact\.sh\s+(\S+)\s*$/.exec(command)?.[1]
  if (command === undefined || outdir === undefined) {
    throw new Error("Dockerfile: the build stage does not RUN scripts/deploy/build-artifact.sh <outdir>")
  }
  return { command, outdir }
})()

let work = ""
let tree = ""
let artifact = ""

const tail = (text: string) => text.split("\n").slice(-40).join("\n")

/** Runs a command to its end without blocking this worker: its exit code and everything it printed. */
const run = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: Record<string, string>; readonly timeoutMs: number },
) =>
  new Promise<{ readonly code: number | null; readonly output: string }>((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let output = ""
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
    }
    child.stdout.on("data", collect)
    child.stderr.on("data", collect)
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs)
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

/** The files a `docker build` of a fresh clone sees: tracked, plus new ones not ignored. */
const copyTree = async (to: string) => {
  const script =
    'git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$0"'
  const copied = await run("bash", ["-c", script, to], { cwd: repoRoot, timeoutMs: 60_000 })
  if (copied.code !== 0) throw new Error(`copying the tree failed: ${copied.output}`)
}

/** A build's environment, as bare as a `docker build` stage: no NODE_ENV or test runner variables. */
const buildEnv = (): Record<string, string> => {
  const env: Record<string, string> = {
    // ./settle installs the pinned pnpm there; the Dockerfile installs it globally instead.
    PATH: `${join(repoRoot, ".tools/node_modules/.bin")}:${process.env.PATH ?? ""}`,
    // The store on this machine is warm; a miss still goes to the registry.
    PNPM_CONFIG_PREFER_OFFLINE: "true",
  }
  for (const name of ["HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "PNPM_HOME", "PNPM_CONFIG_STORE_DIR"]) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(https?_proxy|no_proxy)$/i.test(name) && value !== undefined) env[name] = value
  }
  return env
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "settle-artifact-"))
  tree = join(work, "tree")
  artifact = join(work, "artifact")
  mkdirSync(tree)
  await copyTree(tree)
  // The RUN line as /bin/sh runs it in the build stage's WORKDIR, writing to this test's directory.
  const command = artifactRun.command.replace(/\S+\s*$/, JSON.stringify(artifact))
  const built = await run("sh", ["-c", command], {
    cwd: tree,
    env: buildEnv(),
    timeoutMs: BUILD_TIMEOUT_MS - 5_000,
  })
  if (built.code !== 0)
    throw new Error(`${command} failed (${built.code ?? "killed"}):\n${tail(built.output)}`)
}, BUILD_TIMEOUT_MS)

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true })
})

interface Found {
  /** Packages materialized in the artifact: a directory with a package.json right under node_modules. */
  readonly packages: Array<{ readonly name: string; readonly version: string; readonly dir: string }>
  /** Every symbolic link, with where it resolves. */
  readonly links: Array<{ readonly path: string; readonly target: string }>
}

const walk = (root: string): Found => {
  const found: Found = { packages: [], links: [] }
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isSymbolicLink()) {
        found.links.push({ path, target: existsSync(path) ? realpathSync(path) : "(dangling)" })
        continue
      }
      if (!entry.isDirectory()) continue
      const parts = relative(root, path).split(sep)
      const name = parts.at(-2)?.startsWith("@") ? parts.slice(-2).join("/") : parts.at(-1)
      const underNodeModules = parts.at(name?.startsWith("@") ? -3 : -2) === "node_modules"
      if (underNodeModules && name !== undefined && existsSync(join(path, "package.json"))) {
        const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8")) as { version?: string }
        found.packages.push({ name, version: manifest.version ?? "", dir: path })
      }
      visit(path)
    }
  }
  visit(root)
  return found
}

const majorOf = (version: string) => Number(/\d+/.exec(version)?.[0])

describe("scripts/deploy/build-artifact.sh, as the Dockerfile's build stage runs it", () => {
  it("holds the server's dist and production dependencies, and no dev tooling anywhere", () => {
    expect(existsSync(join(artifact, "dist/main.js"))).toBe(true)
    expect(existsSync(join(artifact, "dist/ops/main.js"))).toBe(true)
    const { packages, links } = walk(join(artifact, "node_modules"))
    expect(packages.length).toBeGreaterThan(10)
    expect(packages.filter(({ name }) => isDevOnly(name)).map(({ dir }) => relative(artifact, dir))).toEqual(
      [],
    )
    expect(links.filter(({ path }) => isDevOnly(path.split(`node_modules${sep}`).at(-1) ?? ""))).toEqual([])

    // effect 3 depends on fast-check 3 at run time (its Schema's Arbitrary module): that copy only,
    // never the workspace's own fast-check, linked for effect (and in pnpm's hidden hoisting directory).
    const effect = packages.find(({ name }) => name === "effect")
    expect(effect).toBeDefined()
    const effectManifest = JSON.parse(readFileSync(join(effect?.dir ?? "", "package.json"), "utf8")) as {
      dependencies?: Record<string, string>
    }
    const allowed = majorOf(effectManifest.dependencies?.["fast-check"] ?? "none")
    const fastChecks = packages.filter(({ name }) => name === "fast-check")
    expect(fastChecks.map(({ version }) => majorOf(version))).toEqual(fastChecks.map(() => allowed))
    const fastCheckLinks = links
      .filter(({ path }) => path.endsWith(`${sep}node_modules${sep}fast-check`))
      .map(({ path }) => relative(join(artifact, "node_modules"), path).split(sep).join("/"))
    expect(
      fastCheckLinks.filter((path) => !/^\.pnpm\/(effect@[^/]+\/)?node_modules\/fast-check$/.test(path)),
    ).toEqual([])
  })

  it("runs the ops CLI as the container would (node dist/ops/main.js)", async () => {
    const help = await run("node", ["dist/ops/main.js", "--help"], {
      cwd: artifact,
      env: { PATH: process.env.PATH ?? "", ...envOf(runtime) },
      timeoutMs: 30_000,
    })
    expect(help.code, help.output).toBe(0)
    expect(help.output).toContain("doctor")
  })

  it("lists exactly the server's production dependencies at its top level", () => {
    const server = JSON.parse(readFileSync(join(repoRoot, "packages/server/package.json"), "utf8")) as {
      dependencies: Record<string, string>
    }
    const top = readdirSync(join(artifact, "node_modules"))
      .filter((name) => !name.startsWith("."))
      .flatMap((name) =>
        name.startsWith("@")
          ? readdirSync(join(artifact, "node_modules", name)).map((inner) => `${name}/${inner}`)
          : [name],
      )
    expect(top.toSorted()).toEqual(Object.keys(server.dependencies).toSorted())
  })

  it("carries the workspace packages as packed copies, with nothing linking out of the artifact", () => {
    for (const name of ["domain", "adapters"]) {
      const dir = realpathSync(join(artifact, "node_modules/@settle", name))
      expect(dir.startsWith(`${realpathSync(artifact)}${sep}`), dir).toBe(true)
      expect(lstatSync(join(dir, "package.json")).isFile()).toBe(true)
      expect(existsSync(join(dir, "dist/index.js"))).toBe(true)
      // Only what the package publishes (its `files`), and its own node_modules: no tests, no tsconfig.
      const { files } = JSON.parse(
        readFileSync(join(repoRoot, "packages", name, "package.json"), "utf8"),
      ) as {
        files: ReadonlyArray<string>
      }
      const published = [...files, "package.json", "node_modules"]
      expect(readdirSync(dir).filter((entry) => !published.includes(entry))).toEqual([])
    }
    const outside = walk(artifact).links.filter(
      ({ target }) => !target.startsWith(`${realpathSync(artifact)}${sep}`),
    )
    expect(outside).toEqual([])
  })
})

/** A port nothing listens on right now. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

const statusOf = (url: string): Promise<number | "refused"> =>
  fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
    async (response) => {
      await response.arrayBuffer()
      return response.status
    },
    () => "refused",
  )

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("the artifact started as the Dockerfile's runtime stage starts it", () => {
  let child: ChildProcess | undefined
  afterAll(() => {
    if (child?.exitCode === null) child.kill("SIGKILL")
  })

  it("serves its probes, passes the HEALTHCHECK, and on SIGTERM drains and exits 0", async () => {
    const [file = "", ...args] = execForm(lastOf(runtime, "CMD"))
    // The image's ENV, WORKDIR and CMD; only PATH, a free PORT and a short drain delay added.
    expect(copyFrom(runtime, "build")).toEqual({
      source: artifactRun.outdir,
      destination: lastOf(runtime, "WORKDIR"),
    })
    const port = await freePort()
    const env = {
      PATH: process.env.PATH ?? "",
      ...envOf(runtime),
      PORT: String(port),
      DRAIN_DELAY_SECONDS: String(DRAIN_DELAY_SECONDS),
    }
    const server = spawn(file, args, { cwd: artifact, env, stdio: ["ignore", "pipe", "pipe"] })
    child = server
    let output = ""
    server.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    server.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)))
    const base = `http://127.0.0.1:${port}`

    for (let waited = 0; (await statusOf(`${base}/healthz`)) !== 200; waited += 100) {
      if (server.exitCode !== null || waited > 30_000)
        throw new Error(`the server did not come up:\n${tail(output)}`)
      await sleep(100)
    }
    // Every path deploy/'s manifests probe is a route of this server.
    for (const path of probePaths()) expect([path, await statusOf(`${base}${path}`)]).toEqual([path, 200])
    const healthcheck = healthcheckCommand(runtime)
    const [checkFile = "", ...checkArgs] = healthcheck
    const check = () => run(checkFile, checkArgs, { cwd: artifact, env, timeoutMs: 10_000 })
    expect((await check()).code, tail(output)).toBe(0)

    const signalled = Date.now()
    server.kill("SIGTERM")
    // Within the drain delay: not ready, yet the port still serves.
    let readyz = await statusOf(`${base}/readyz`)
    while (readyz === 200 && Date.now() - signalled < DRAIN_DELAY_SECONDS * 1000) {
      readyz = await statusOf(`${base}/readyz`)
    }
    expect(readyz, tail(output)).toBe(503)
    expect(await statusOf(`${base}/healthz`)).toBe(200)

    expect(await exited, tail(output)).toBe(0)
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(DRAIN_DELAY_SECONDS * 1000)
    expect(output).toContain("stopped (clean)")
    expect(await statusOf(`${base}/healthz`)).toBe("refused")
    // And the HEALTHCHECK notices when nothing answers.
    expect((await check()).code).not.toBe(0)
  }, 60_000)
})
