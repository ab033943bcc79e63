/** One option of a command, as `util.parseArgs` takes it plus what `--help` says about it. */
export interface OptionSpec {
  readonly type: "string" | "boolean"
  readonly description: string
  /** The value's name in help text: `--older-than <duration>`. */
  readonly placeholder?: string
  /** A one-letter alias: `-h`. */
  readonly short?: string
}

/** The parsed options of one invocation; absent options are missing keys. */
export type Options = Readonly<Record<string, string | boolean | undefined>>

/** What a command may read of the process: its environment (the server's variables, $USER). */
export interface CommandContext {
  readonly env: Readonly<Record<string, string | undefined>>
}

/**
 * What a command found or did: `data` is the `--json` document, `text` the lines a person reads.
 * `failed` makes the exit code 1 even though the command ran (doctor with a failing check).
 */
export interface Report {
  readonly data: Readonly<Record<string, unknown>>
  readonly text: ReadonlyArray<string>
  readonly failed?: boolean
}

export interface Command {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** `<name> <arguments>` as the help shows it. */
  readonly usage: string
  /** The runbook lines this command carries out, quoted as the runbook words them, with where they are. */
  readonly runbook: ReadonlyArray<string>
  /** More help: what it reads or writes, what it refuses. */
  readonly details: ReadonlyArray<string>
  readonly options: Readonly<Record<string, OptionSpec>>
  /** The option a bare argument stands for: `review-accept ord_1` is `review-accept --order ord_1`. */
  readonly positional?: string
  readonly examples: ReadonlyArray<string>
  readonly run: (options: Options, context: CommandContext) => Promise<Report>
}

/** The command line is wrong: exit 2, with the usage of the command. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** The command ran and could not do its job: exit 1. `code` is stable for `--json` readers. */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure"
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message)
  }
}
