import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  )

/** Every module specifier in a file: static imports/exports, dynamic import() and require(). */
const specifiers = (text: string): Array<string> =>
  [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+|require\s*\(\s*)["']([^"']+)["']/g)].map(
    (m) => m[1] ?? "",
  )

describe("the dependency rule", () => {
  it("packages/domain imports nothing but effect and its own files", () => {
    const offenders = sources(join(root, "src")).flatMap((file) =>
      specifiers(readFileSync(file, "utf8"))
        .filter((spec) => !spec.startsWith(".") && spec !== "effect" && !spec.startsWith("effect/"))
        .map((spec) => `${file}: ${spec}`),
    )
    expect(offenders).toEqual([])
  })

  it("needs only effect, as a peer, so the host's one copy of effect is the one it uses", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>
      peerDependencies?: Record<string, string>
    }
    expect(Object.keys(manifest.dependencies ?? {})).toEqual([])
    expect(Object.keys(manifest.peerDependencies ?? {})).toEqual(["effect"])
  })

  it("the scanner sees the imports it must judge", () => {
    expect(
      specifiers(`import { x } from "mongodb"\nexport * from "./a.js"\nconst k = await import("koa")`),
    ).toEqual(["mongodb", "./a.js", "koa"])
  })
})
