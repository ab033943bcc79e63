/**
 * Hygiene of values pasted into a deploy dashboard: the mistakes behind runbook scenarios 7 and 8
 * (a placeholder left in, quotes kept, a trailing line break copied along). Every message names the
 * variable and never the value: env values carry passwords and API secrets, and these messages end
 * up in deploy logs.
 */
export type Flaw =
  | { readonly _tag: "Placeholder"; readonly marker: string }
  | { readonly _tag: "Quoted" }
  | { readonly _tag: "LeadingWhitespace" }
  | { readonly _tag: "TrailingWhitespace" }
  | { readonly _tag: "InnerWhitespace" }

const PLACEHOLDERS: ReadonlyArray<{ readonly pattern: RegExp; readonly marker: string }> = [
  { pattern: /change[_-]?me/i, marker: "CHANGE_ME…" },
  { pattern: /<[^<>]*>/, marker: "<…>" },
  { pattern: /(^|[^a-z0-9])your[_-]/i, marker: "your_…" },
  // An unexpanded reference, pasted where the dashboard expected the value itself.
  { pattern: /^\$\{[^}]*\}$/, marker: "$" + "{…}" },
  // Filler after an optional key prefix: `xxx`, `sk_test_xxxx`, `whsec_...`, `***`.
  { pattern: /^(?:[a-z]+_)*(?:x{3,}|\*{3,}|\.{3,}|…)$/i, marker: "xxx" },
]

const QUOTES = /^["'`]|["'`]$/

/** Every flaw of `value`, outermost first (or only its placeholder); none for a clean value. */
export const flawsOf = (value: string): ReadonlyArray<Flaw> => {
  const trimmed = value.trim()
  const bare = trimmed.replace(/^["'`]+|["'`]+$/g, "")
  // A placeholder must be replaced as a whole, so its quotes or spaces are not worth a word.
  const placeholder = PLACEHOLDERS.find(({ pattern }) => pattern.test(bare))
  if (placeholder !== undefined) return [{ _tag: "Placeholder", marker: placeholder.marker }]
  const flaws: Array<Flaw> = []
  if (/^\s/.test(value)) flaws.push({ _tag: "LeadingWhitespace" })
  if (/\s$/.test(value)) flaws.push({ _tag: "TrailingWhitespace" })
  if (QUOTES.test(trimmed)) flaws.push({ _tag: "Quoted" })
  if (/\s/.test(bare)) flaws.push({ _tag: "InnerWhitespace" })
  return flaws
}

/** What is wrong and how to fix it, as "<what>; <fix>", to follow a subject. */
export const describeFlaw = (flaw: Flaw, source: string | undefined): string => {
  switch (flaw._tag) {
    case "Placeholder":
      return `still holds a placeholder (${flaw.marker}); set the real value${source === undefined ? "" : ` from ${source}`}`
    case "Quoted":
      return "is wrapped in quotes; remove them"
    case "LeadingWhitespace":
      return "has leading whitespace or a line break; remove it"
    case "TrailingWhitespace":
      return "has trailing whitespace or a line break; remove it"
    case "InnerWhitespace":
      return "has whitespace or a line break inside; paste it again as one line"
  }
}

/** One message per flaw, each naming `variable`. */
export const hygieneProblems = (variable: string, value: string, source?: string): ReadonlyArray<string> =>
  flawsOf(value).map((flaw) => `${variable} ${describeFlaw(flaw, source)}`)
