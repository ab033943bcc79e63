import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { describe, expect, it } from "vitest"

/**
 * The workspace's dependency rule, checked rather than written in prose: production code never
 * imports the testkit, no package reaches into another's files by relative path, and no production
 * dependency, however deep, pulls in a test runner.
 */
const root = resolve(import.meta.dirname, "../..")
const PACKAGES = ["domain", "adapters", "testkit", "server"] as const
const PRODUCTION = ["domain", "adapters", "server"] as const
const TEST_TOOLING = [
  "vitest",
  "@vitest/runner",
  "fast-check",
  "jest",
  "mocha",
  "ava",
  "tap",
  "tsx",
  "@settle/testkit",
]
/** effect 3 itself depends on fast-check (its `Arbitrary` module): that copy is effect's, not a test runner. */
const OWNED_BY_EFFECT = / > effect > fast-check$/

interface Manifest {
  readonly name: string
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly optionalDependencies?: Record<string, string>
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))

const sources = (dir: string): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? entry.name === "node_modules" || entry.name === "dist"
            ? []
            : sources(join(dir, entry.name))
          : /\.[cm]?[jt]s$/.test(entry.name)
            ? [join(dir, entry.name)]
            : [],
      )
    : []

/** Every module specifier in a file: static imports/exports, dynamic import() and require(). */
const specifiers = (text: string): Array<string> =>
  [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)["']([^"']+)["']/g)].map(
    (m) => m[1] ?? "",
  )

const packageOf = (file: string): string | undefined => relative(join(root, "packages"), file).split(sep)[0]

/** `file` imports `spec` relatively into another workspace package. */
const crossesPackages = (file: string, spec: string): boolean => {
  if (!spec.startsWith(".")) return false
  const target = resolve(dirname(file), spec)
  const inside = relative(join(root, "packages"), target)
  return !inside.startsWith("..") && inside.split(sep)[0] !== packageOf(file)
}

const relativeCrossings = (pkg: string): Array<string> =>
  sources(join(root, "packages", pkg)).flatMap((file) =>
    specifiers(readFileSync(file, "utf8"))
      .filter((spec) => crossesPackages(file, spec))
      .map((spec) => `${relative(root, file)}: ${spec}`),
  )

/** Where Node would find `name` from `fromDir`: the nearest node_modules up the tree. */
const locate = (name: string, fromDir: string): string | undefined => {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name)
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate)
    if (dirname(dir) === dir) return undefined
  }
}

/** Every package reachable through dependencies and peerDependencies, as `name` → the chain that reached it. */
const productionClosure = (pkgDir: string): Map<string, string> => {
  const seen = new Map<string, string>()
  const visit = (dir: string, chain: string) => {
    const m = manifest(dir)
    const deps = { ...m.dependencies, ...m.peerDependencies, ...m.optionalDependencies }
    for (const name of Object.keys(deps)) {
      const found = locate(name, dir)
      const key = found ?? name
      if (seen.has(key)) continue
      seen.set(key, `${chain} > ${name}`)
      if (found !== undefined) visit(found, `${chain} > ${name}`)
    }
  }
  visit(pkgDir, manifest(pkgDir).name)
  return seen
}

const testToolingIn = (closure: Map<string, string>): Array<string> =>
  [...closure.entries()]
    .filter(([key]) =>
      TEST_TOOLING.some((tool) => key.endsWith(`${sep}node_modules${sep}${tool}`) || key === tool),
    )
    .map(([, chain]) => chain)
    .filter((chain) => !OWNED_BY_EFFECT.test(chain))

describe("the workspace dependency rule", () => {
  it.each(PRODUCTION)("packages/%s/src never imports @settle/testkit", (pkg) => {
    const offenders = sources(join(root, "packages", pkg, "src")).flatMap((file) =>
      specifiers(readFileSync(file, "utf8"))
        .filter((spec) => spec === "@settle/testkit" || spec.startsWith("@settle/testkit/"))
        .map((spec) => `${relative(root, file)}: ${spec}`),
    )
    expect(offenders).toEqual([])
  })

  it.each(PACKAGES)(
    "packages/%s imports other packages by name, never their files by relative path",
    (pkg) => {
      expect(relativeCrossings(pkg)).toEqual([])
    },
  )

  it.each(PRODUCTION)("no production dependency of @settle/%s pulls in a test runner", (pkg) => {
    const closure = productionClosure(join(root, "packages", pkg))
    expect(closure.size).toBeGreaterThan(0)
    expect(testToolingIn(closure)).toEqual([])
  })

  it("the checks see the violations they must judge", () => {
    const server = join(root, "packages/server/src/main.ts")
    expect(crossesPackages(server, "../../testkit/src/index.js")).toBe(true)
    expect(crossesPackages(server, "./bootstrap/start.js")).toBe(false)
    expect(specifiers(`import { x } from "@settle/testkit"\nconst k = await import("koa")`)).toEqual([
      "@settle/testkit",
      "koa",
    ])
    // The testkit's own closure does reach vitest and fast-check: the walk follows real dependencies.
    expect(testToolingIn(productionClosure(join(root, "packages/testkit"))).length).toBeGreaterThan(0)
  })
})
