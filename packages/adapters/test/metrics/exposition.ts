/** Reads sample values out of Prometheus text exposition, the way a scrape sees them. */
export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const unescapeLabel = (value: string): string =>
  value.replace(/\\(.)/g, (_, char: string) => (char === "n" ? "\n" : char))

const parseLabels = (text: string): Record<string, string> => {
  const labels: Record<string, string> = {}
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    labels[match[1]!] = unescapeLabel(match[2]!)
  return labels
}

export const samples = (exposition: string): ReadonlyArray<Sample> =>
  exposition
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)
      if (match === null) throw new Error(`unparseable exposition line: ${line}`)
      return { name: match[1]!, labels: parseLabels(match[2] ?? ""), value: Number(match[3]) }
    })

const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])
}

/** The value of the sample with exactly these labels; 0 when the series does not exist. */
export const sampleValue = (
  exposition: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number =>
  samples(exposition).find((sample) => sample.name === name && sameLabels(sample.labels, labels))?.value ?? 0
