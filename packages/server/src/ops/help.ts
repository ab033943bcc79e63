import type { Command, OptionSpec } from "./Command.js"

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: {
    type: "boolean",
    description: "print one JSON document on stdout, success or failure (logs go to stderr)",
  },
  help: { type: "boolean", short: "h", description: "show this command's help" },
}

export interface CommandGroup {
  readonly title: string
  readonly commands: ReadonlyArray<Command>
}

const flagOf = (name: string, spec: OptionSpec) =>
  `--${name}${spec.placeholder === undefined ? "" : ` <${spec.placeholder}>`}${spec.short === undefined ? "" : `, -${spec.short}`}`

const optionLines = (options: Readonly<Record<string, OptionSpec>>): ReadonlyArray<string> => {
  const entries = Object.entries(options)
  const width = Math.max(...entries.map(([name, spec]) => flagOf(name, spec).length))
  return entries.map(([name, spec]) => `  ${flagOf(name, spec).padEnd(width)}  ${spec.description}`)
}

export const globalHelp = (groups: ReadonlyArray<CommandGroup>): string => {
  const width = Math.max(...groups.flatMap((group) => group.commands.map((command) => command.name.length)))
  return [
    "Usage: pnpm ops <command> [options]",
    "",
    "The runbook's queries and recovery steps, run against the service's MongoDB. Commands read the same",
    "environment as the server (MONGO_URI, MONGO_DB_NAME, STRIPE_SECRET_KEY, STRIPE_API_BASE_URL, INVOICE_MODE).",
    "",
    ...groups.flatMap((group) => [
      `${group.title}:`,
      ...group.commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
      "",
    ]),
    "Options of every command:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    "Every recovery command works one order at a time, never in bulk; is audited as ops-cli:<$USER or",
    "--actor> with its --reason (a note is its own reason); and takes --dry-run to print what it would",
    "change without writing anything.",
    "",
    "Exit codes: 0 ok; 1 the command failed or refused (or a doctor check failed); 2 usage error.",
    "More: pnpm ops <command> --help",
  ].join("\n")
}

export const commandHelp = (command: Command): string =>
  [
    `Usage: pnpm ops ${command.usage}`,
    "",
    command.summary,
    "",
    "Runbook:",
    ...command.runbook.map((line) => `  ${line}`),
    "",
    ...command.details,
    "",
    "Options:",
    ...optionLines({ ...command.options, ...GLOBAL_OPTIONS }),
    "",
    "Examples:",
    ...command.examples.map((example) => `  ${example}`),
  ].join("\n")
