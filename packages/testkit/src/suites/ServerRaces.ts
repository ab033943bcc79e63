/** What the server under a contract suite guarantees for concurrent conditional writes. */
export interface ServerRaceOptions {
  /**
   * The server applies a conditional update as a read, then a write of the whole document, with no
   * transaction between them (FerretDB v1, issue #3040): concurrent writers can all see the condition
   * hold, all report success, and the last write wins. Concurrency tests then still run but assert
   * only what such a server keeps: every stored document is self-consistent and was written by a
   * caller that was told it succeeded. Every other test is unchanged. A real MongoDB never sets this.
   */
  readonly serverRacesConditionalWrites?: boolean
}

/** The title of a concurrency test, saying when it asserts only what a racing server keeps. */
export const raceTitle = (title: string, options: ServerRaceOptions): string =>
  options.serverRacesConditionalWrites === true
    ? `${title} [known limitation: the server races conditional writes (FerretDB #3040), so only self-consistency is asserted]`
    : title
