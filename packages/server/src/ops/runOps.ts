import { parseArgs } from "node:util"
import { type Command, CommandFailure, type Options, type Report, UsageError } from "./Command.js"
import { COMMANDS, GROUPS } from "./commands.js"
import { commandHelp, GLOBAL_OPTIONS, globalHelp } from "./help.js"

export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

const EXIT = { ok: 0, failure: 1, usage: 2 } as const

const parse = (command: Command, args: ReadonlyArray<string>): Options => {
  const specs = { ...command.options, ...GLOBAL_OPTIONS }
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short },
    ]),
  )
  const parsed = (() => {
    try {
      return parseArgs({ args: [...args], options, strict: true, allowPositionals: true })
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error))
    }
  })()
  const [bare, ...extra] = parsed.positionals
  if (bare === undefined) return parsed.values
  const name = command.positional
  if (name === undefined || extra.length > 0) {
    throw new UsageError(`unexpected argument "${extra[0] ?? bare}"`)
  }
  if (parsed.values[name] !== undefined) throw new UsageError(`give --${name} or a bare argument, not both`)
  return { ...parsed.values, [name]: bare }
}

const printReport = (io: Io, command: string, report: Report, json: boolean) => {
  if (json) io.stdout(JSON.stringify({ ok: report.failed !== true, command, ...report.data }, null, 2))
  else io.stdout(report.text.join("\n"))
}

const printFailure = (io: Io, command: Command | undefined, error: unknown, json: boolean): number => {
  const usage = error instanceof UsageError
  const code = usage ? "USAGE" : error instanceof CommandFailure ? error.code : "INTERNAL_ERROR"
  const message = error instanceof Error ? error.message : String(error)
  if (json) {
    const details = error instanceof CommandFailure ? error.details : {}
    io.stdout(
      JSON.stringify(
        { ok: false, command: command?.name ?? null, error: { code, message, details } },
        null,
        2,
      ),
    )
  } else {
    io.stderr(`error: ${message}`)
    if (usage) {
      io.stderr(
        command === undefined
          ? "Run `pnpm ops --help` for the commands."
          : `Usage: pnpm ops ${command.usage}\nRun \`pnpm ops ${command.name} --help\` for more.`,
      )
    }
  }
  return usage ? EXIT.usage : EXIT.failure
}

/**
 * The whole CLI as a function of its arguments and environment, returning the exit code: 0 ok, 1 the
 * command failed or refused, 2 the command line was wrong.
 */
export const runOps = async (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  io: Io,
): Promise<number> => {
  const [name, ...rest] = argv
  const json = argv.includes("--json")
  if (name === undefined) {
    io.stderr(globalHelp(GROUPS))
    return EXIT.usage
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = rest[0] === undefined ? undefined : COMMANDS.get(rest[0])
    io.stdout(topic === undefined ? globalHelp(GROUPS) : commandHelp(topic))
    return EXIT.ok
  }
  const command = COMMANDS.get(name)
  if (command === undefined)
    return printFailure(io, undefined, new UsageError(`unknown command "${name}"`), json)
  try {
    const options = parse(command, rest)
    if (options.help === true) {
      io.stdout(commandHelp(command))
      return EXIT.ok
    }
    const report = await command.run(options, { env })
    printReport(io, command.name, report, options.json === true)
    return report.failed === true ? EXIT.failure : EXIT.ok
  } catch (error) {
    return printFailure(io, command, error, json)
  }
}
