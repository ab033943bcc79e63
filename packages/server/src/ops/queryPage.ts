/** What the read-only queries share: the runbook's horizon option and paging by one extra row. */

export const OLDER_THAN = {
  "older-than": {
    type: "string",
    placeholder: "duration",
    description:
      "only records last touched longer ago than this, e.g. 90s, 10m, 2h (default 10m, as the runbook)",
  },
} as const

/** `limit` rows and whether the store had more: the query asks for one extra row. */
export const page = <A>(rows: ReadonlyArray<A>, limit: number) => ({
  rows: rows.slice(0, limit),
  truncated: rows.length > limit,
})

export const more = (truncated: boolean, limit: number): ReadonlyArray<string> =>
  truncated ? [`(showing the first ${limit}; there are more: raise --limit)`] : []
