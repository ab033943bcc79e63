/** A plain text table: a header row, then one row per record, columns padded to their widest cell. */
export const table = (
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
): ReadonlyArray<string> => {
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...rows.map((row) => (row[i] ?? "").length)),
  )
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [line(columns), ...rows.map(line)]
}

/** `-` for what a record does not have yet, so columns never collapse. */
export const cell = (value: string | number | Date | null | undefined): string => {
  if (value === null || value === undefined || value === "") return "-"
  return value instanceof Date ? value.toISOString() : String(value)
}

/** How long ago `then` was, coarse on purpose: `52m`, `3h10m`, `2d4h`. */
export const age = (then: Date, now: Date): string => {
  const minutes = Math.max(0, Math.floor((now.getTime() - then.getTime()) / 60_000))
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h${minutes % 60}m`
  return `${Math.floor(hours / 24)}d${hours % 24}h`
}

/** Minor units as a person reads them, by the currency's ISO 4217 exponent: 3000 EUR → `30.00 EUR`, 3000 JPY → `3000 JPY`. */
export const amount = (minor: number, currency: string): string => {
  const digits = exponent(currency)
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`
}

// Any well-formed code resolves (unknown ones to 2 digits); stored currencies are checked as three letters.
const exponent = (currency: string): number =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
