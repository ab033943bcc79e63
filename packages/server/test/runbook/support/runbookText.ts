import { readFileSync } from "node:fs"
import { join } from "node:path"

export const REPO_ROOT = join(import.meta.dirname, "../../../../..")
export const RUNBOOK = readFileSync(join(REPO_ROOT, "docs/runbook.md"), "utf8")

/** `inline code` spans of the runbook, in order. */
export const inlineCode = (): ReadonlyArray<string> =>
  [...RUNBOOK.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? "")

/** Lines of the fenced code blocks, a trailing `\` joining a line to the next. */
export const codeLines = (): ReadonlyArray<string> =>
  [...RUNBOOK.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) =>
    (m[1] ?? "").replace(/\\\n\s*/g, " ").split("\n"),
  )

/** GitHub's anchor for a heading, as runbookLinks.test.ts computes it. */
export const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-")

/** The text under the heading with `anchor`, up to the next heading of the same or a higher level. */
export const section = (anchor: string): string => {
  const lines = RUNBOOK.split("\n")
  const levelOf = (line: string) => /^(#{1,6})\s/.exec(line)?.[1]?.length
  const start = lines.findIndex(
    (line) => levelOf(line) !== undefined && anchorOf(line.replace(/^#+/, "")) === anchor,
  )
  if (start === -1) return ""
  const level = levelOf(lines[start] ?? "") ?? 1
  const end = lines.findIndex((line, i) => i > start && (levelOf(line) ?? 7) <= level)
  return lines.slice(start, end === -1 ? undefined : end).join("\n")
}

/** Shell words of `line`: quotes removed, a `#` comment and a `| pipe` cut off. */
export const shellWords = (line: string): ReadonlyArray<string> => {
  const words: Array<string> = []
  let word: string | null = null
  let quote: string | null = null
  for (const char of line) {
    if (quote !== null) {
      if (char === quote) quote = null
      else word = (word ?? "") + char
    } else if (char === '"' || char === "'") {
      quote = char
      word ??= ""
    } else if (/\s/.test(char)) {
      if (word !== null) words.push(word)
      word = null
    } else if ((char === "#" || char === "|") && word === null) {
      break
    } else {
      word = (word ?? "") + char
    }
  }
  if (word !== null) words.push(word)
  return words
}

export interface OpsInvocation {
  readonly args: ReadonlyArray<string>
  /** A command line to run as written; otherwise prose naming a command (`pnpm ops note`). */
  readonly complete: boolean
}

/** Every `pnpm ops …` the runbook writes: code block lines, and inline code with options is a command line. */
export const opsInvocations = (): ReadonlyArray<OpsInvocation> => {
  const argsOf = (text: string) => {
    const at = text.indexOf("pnpm ops ")
    return at === -1 ? null : shellWords(text.slice(at + "pnpm ops ".length))
  }
  return [
    ...inlineCode().map((text) => ({ text, block: false })),
    ...codeLines().map((text) => ({ text, block: true })),
  ].flatMap(({ text, block }) => {
    const args = argsOf(text)
    if (args === null || args[0]?.startsWith("<")) return []
    return [{ args, complete: block || args.some((arg) => arg.startsWith("--")) }]
  })
}

export interface CurlCall {
  readonly line: string
  readonly method: string
  /** Path and query after `$SETTLE`. */
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | null
  readonly form: boolean
}

/** Every curl line of the code blocks, as the request it sends. */
export const curlCalls = (): ReadonlyArray<CurlCall> =>
  codeLines()
    .filter((line) => line.trimStart().startsWith("curl "))
    .map((line) => {
      const words = shellWords(line)
      const after = (flag: string) => words.flatMap((w, i) => (w === flag ? [words[i + 1] ?? ""] : []))
      const url = words.find((w) => w.startsWith("$SETTLE")) ?? ""
      const body = after("-d")[0] ?? null
      const form = after("-F").length > 0
      const headers = Object.fromEntries(
        after("-H").map((h) => [h.slice(0, h.indexOf(":")).trim(), h.slice(h.indexOf(":") + 1).trim()]),
      )
      const method = after("-X")[0] ?? (body !== null || form ? "POST" : "GET")
      return { line, method, target: url.slice("$SETTLE".length), headers, body, form }
    })

/** `GET /path` written in prose. */
export const routeMentions = (): ReadonlyArray<{ readonly method: string; readonly target: string }> =>
  inlineCode().flatMap((code) => {
    const match = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/.exec(code)
    return match === null ? [] : [{ method: match[1] ?? "", target: match[2] ?? "" }]
  })

/** The runbook's placeholder ids (`ord_...`, `:id`) as well-formed ids no record has. */
export const exampleIds = (text: string): string =>
  text.replace(/\b(cs|evt|ord|pi)_(\.\.\.|…)/g, "$1_runbookExample").replace(/:id\b/g, "ord_runbookExample")
