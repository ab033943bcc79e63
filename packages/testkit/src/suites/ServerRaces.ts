/** What the server under a contract suite guarantees for concurrent conditional writes. */
export interface ServerRaceOptions {
  /**
   * The server applies a conditional update as a read, then a write of the whole document, with no
   * transaction between them (FerretDB v1, issue #3040): concurrent writers can all see the condition
   * hold, all report success, and the last write wins. Concurrency tests then still run but assert
   * only what such a server keeps: every stored document is self-consistent and was written by a
   * caller that was told it succeeded. Every other test is unchanged. A real MongoDB never sets this.
   *
   * A string says the same and names the server and its defect in the relaxed tests' titles (for
   * example "FerretDB v1.24.2 (FerretDB #3040)"); `true` leaves it unnamed.
   */
  readonly serverRacesConditionalWrites?: boolean | string
}

/** Whether the concurrency tests assert only what a server that races conditional writes keeps. */
export const racesConditionalWrites = (options: ServerRaceOptions): boolean => {
  const races = options.serverRacesConditionalWrites
  return races === true || (typeof races === "string" && races !== "")
}

/**
 * The title of a concurrency test: on a server that races conditional writes it says the test asserts
 * only self-consistency and names that server; otherwise it is the plain title, with no limitation.
 */
export const raceTitle = (title: string, options: ServerRaceOptions): string => {
  if (!racesConditionalWrites(options)) return title
  const server =
    typeof options.serverRacesConditionalWrites === "string"
      ? options.serverRacesConditionalWrites
      : "the server"
  return `${title} [known limitation: ${server} races conditional writes, so only self-consistency is asserted]`
}
