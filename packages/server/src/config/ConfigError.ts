import { Data } from "effect"

/** One thing wrong with the environment; `message` names the variable and never its value. */
export interface ConfigProblem {
  readonly variable: string
  readonly message: string
}

const listed = (problems: ReadonlyArray<ConfigProblem>): string =>
  [
    `invalid configuration (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):`,
    ...problems.map((problem) => `  - ${problem.message}`),
  ].join("\n")

/** The environment cannot start the server; every problem found is listed, not just the first. */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly problems: ReadonlyArray<ConfigProblem>
  readonly message: string
}> {
  constructor(args: { readonly problems: ReadonlyArray<ConfigProblem> }) {
    super({ problems: args.problems, message: listed(args.problems) })
  }
}
