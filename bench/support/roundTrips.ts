/** One store command as the recorder wrote it (bench/support/mongoRecorder.ts). */
export interface Recorded {
  readonly at: number
  readonly name: string
  readonly db: string
  /** The command as canonical Extended JSON. */
  readonly command: string
}

type Doc = Record<string, unknown>

/** The collection a command names (its first key's value), e.g. `find: "orders"`. */
export const collectionOf = (recorded: Recorded): string => {
  const value = (JSON.parse(recorded.command) as Doc)[recorded.name]
  return typeof value === "string" ? value : "?"
}

/** The filter's `_id` (or whole filter) of a read or conditional write, as text: which document it aims at. */
const targetOf = (recorded: Recorded): string | undefined => {
  const command = JSON.parse(recorded.command) as Doc
  const first = (list: unknown) => (Array.isArray(list) ? (list[0] as Doc | undefined) : undefined)
  const filter = (() => {
    switch (recorded.name) {
      case "find":
      case "count":
      case "distinct":
        return command.filter ?? command.query
      case "findAndModify":
        return command.query
      case "update":
        return first(command.updates)?.q
      case "delete":
        return first(command.deletes)?.q
      default:
        return undefined
    }
  })() as Doc | undefined
  if (filter === undefined) return undefined
  return JSON.stringify(filter._id ?? filter)
}

const WRITES = new Set(["update", "findAndModify", "insert", "delete"])
const CONDITIONAL = new Set(["update", "findAndModify"])

/** `find orders`, `update products`, … */
export const label = (recorded: Recorded) => `${recorded.name} ${collectionOf(recorded)}`

/** How many commands of each kind, in first-seen order. */
export const countByKind = (commands: ReadonlyArray<Recorded>): Array<[string, number]> => {
  const counts = new Map<string, number>()
  for (const command of commands) counts.set(label(command), (counts.get(label(command)) ?? 0) + 1)
  return [...counts]
}

/**
 * Round trips that look unnecessary, by a reading of the sequence alone (nothing is removed here):
 * a read of a document the same operation already read (a repeated lookup), a read of a document a
 * conditional write in the same operation already touched (its answer, or findAndModify's returned
 * document, says what the read asks), and a read just before a conditional write on the same
 * document (the write's filter can carry the condition and its answer the outcome).
 */
export const candidates = (commands: ReadonlyArray<Recorded>): Array<string> => {
  const found: Array<string> = []
  commands.forEach((command, index) => {
    const target = targetOf(command)
    if (target === undefined) return
    const collection = collectionOf(command)
    const earlier = commands
      .slice(0, index)
      .filter((c) => collectionOf(c) === collection && targetOf(c) === target)
    const at = `#${index + 1} ${label(command)} ${target.slice(0, 60)}`
    if (command.name === "find") {
      if (earlier.some((c) => c.name === "find"))
        found.push(`${at}: repeated lookup of a document this operation already read`)
      else if (earlier.some((c) => CONDITIONAL.has(c.name)))
        found.push(`${at}: read after a conditional write on the same document already answered it`)
      const next = commands[index + 1]
      if (
        next !== undefined &&
        CONDITIONAL.has(next.name) &&
        collectionOf(next) === collection &&
        targetOf(next) === target
      )
        found.push(
          `${at}: read right before #${index + 2} ${label(next)} on the same document (the write's filter and answer could carry it)`,
        )
    } else if (
      WRITES.has(command.name) &&
      earlier.some((c) => c.name === command.name && WRITES.has(c.name))
    ) {
      found.push(`${at}: a second ${command.name} of the same document in one operation`)
    }
  })
  return found
}

/** The round-trip table: per operation, the commands in order and the count by kind. */
export const roundTripTable = (
  operations: ReadonlyArray<readonly [string, ReadonlyArray<Recorded>]>,
): string =>
  operations
    .map(
      ([operation, commands]) =>
        `${operation.padEnd(20)}${String(commands.length).padStart(3)} round trip${commands.length === 1 ? "" : "s"}: ${countByKind(
          commands,
        )
          .map(([kind, n]) => `${kind}${n > 1 ? ` ×${n}` : ""}`)
          .join(", ")}\n${" ".repeat(20)}    in order: ${commands.map(label).join(" → ")}`,
    )
    .join("\n")
