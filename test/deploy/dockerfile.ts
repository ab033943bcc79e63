import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"

export const repoRoot = resolve(import.meta.dirname, "../..")

export interface Instruction {
  /** Upper case: FROM, RUN, ENV, … */
  readonly keyword: string
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string
}

export interface Stage {
  readonly name: string
  readonly instructions: ReadonlyArray<Instruction>
}

/** The Dockerfile's stages in order, each with its instructions: comments dropped, `\` continuations joined. */
export const readStages = (file = join(repoRoot, "Dockerfile")): ReadonlyArray<Stage> => {
  const logical: Array<string> = []
  let pending = ""
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^\s*#/.test(line)) continue
    const continued = /\\\s*$/.test(line)
    pending += `${line.replace(/\\\s*$/, "").trim()}${continued ? " " : ""}`
    if (continued) continue
    if (pending.trim() !== "") logical.push(pending.trim())
    pending = ""
  }
  const stages: Array<{ name: string; instructions: Array<Instruction> }> = []
  for (const text of logical) {
    const [, word = "", args = ""] = /^(\S+)\s*(.*)$/.exec(text) ?? []
    const keyword = word.toUpperCase()
    if (keyword === "FROM") {
      stages.push({ name: /\sAS\s+(\S+)$/i.exec(args)?.[1] ?? String(stages.length), instructions: [] })
    }
    const stage = stages.at(-1)
    if (stage === undefined) throw new Error(`Dockerfile: ${keyword} before the first FROM`)
    stage.instructions.push({ keyword, args })
  }
  return stages
}

export const stageNamed = (stages: ReadonlyArray<Stage>, name: string): Stage => {
  const stage = stages.find((s) => s.name === name)
  if (stage === undefined) throw new Error(`Dockerfile: no stage named ${name}`)
  return stage
}

export const argsOf = (stage: Stage, keyword: string): ReadonlyArray<string> =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args)

/** The one `keyword` instruction of a stage (WORKDIR, CMD, …): the last one wins, as in Docker. */
export const lastOf = (stage: Stage, keyword: string): string => {
  const found = argsOf(stage, keyword).at(-1)
  if (found === undefined) throw new Error(`Dockerfile: stage ${stage.name} has no ${keyword}`)
  return found
}

/** An exec-form (JSON array) command, as CMD and HEALTHCHECK … CMD take it here. */
export const execForm = (text: string): ReadonlyArray<string> => {
  const parsed: unknown = JSON.parse(text)
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string") || parsed.length === 0) {
    throw new Error(`Dockerfile: not an exec-form command: ${text}`)
  }
  return parsed
}

/** The variables a stage's ENV lines set, in the `ENV NAME=value` form (values without spaces). */
export const envOf = (stage: Stage): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const args of argsOf(stage, "ENV")) {
    for (const pair of args.split(/\s+/)) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair)
      if (match === null) throw new Error(`Dockerfile: ENV ${args} is not in the NAME=value form`)
      const [, name = "", value = ""] = match
      env[name] = value.replace(/^"(.*)"$/, "$1")
    }
  }
  return env
}

/** The command of `HEALTHCHECK [options] CMD [...]`. */
export const healthcheckCommand = (stage: Stage): ReadonlyArray<string> => {
  const match = /(?:^|\s)CMD\s+(\[.*\])\s*$/.exec(lastOf(stage, "HEALTHCHECK"))
  if (match?.[1] === undefined) throw new Error("Dockerfile: HEALTHCHECK has no exec-form CMD")
  return execForm(match[1])
}

/** `COPY --from=<stage> <source> <destination>` in a stage: the artifact's way into the image. */
export const copyFrom = (
  stage: Stage,
  from: string,
): { readonly source: string; readonly destination: string } => {
  for (const args of argsOf(stage, "COPY")) {
    const words = args.split(/\s+/)
    if (!words.includes(`--from=${from}`)) continue
    const paths = words.filter((word) => !word.startsWith("--"))
    const [source, destination] = paths
    if (paths.length !== 2 || source === undefined || destination === undefined) {
      throw new Error(`Dockerfile: COPY ${args} is not one source and one destination`)
    }
    return { source, destination }
  }
  throw new Error(`Dockerfile: stage ${stage.name} copies nothing from ${from}`)
}
