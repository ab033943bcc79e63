import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { RULE_FILES, readRules } from "./alertFiles.js"

const RUNBOOK = "docs/runbook.md"

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-")

describe("the alerts' runbook links", () => {
  it(`point every alert at a section of ${RUNBOOK} that exists`, () => {
    const alerts = RULE_FILES.flatMap(readRules).filter((rule) => rule.kind === "alert")
    const path = join(import.meta.dirname, "../../../..", RUNBOOK)
    expect(existsSync(path), `${RUNBOOK} is missing; every alert's runbook_url points into it`).toBe(true)
    const runbook = readFileSync(path, "utf8")
    const anchors = new Set(
      runbook.split("\n").flatMap((line) => {
        const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1]
        return heading === undefined ? [] : [anchorOf(heading)]
      }),
    )
    const broken = alerts
      .filter(({ runbookUrl }) => {
        const [file, anchor = ""] = (runbookUrl ?? "").split("#")
        return file !== RUNBOOK || !anchors.has(anchor)
      })
      .map(({ name, runbookUrl }) => `${name}: ${runbookUrl}`)
    expect(alerts.length).toBeGreaterThan(0)
    expect(broken).toEqual([])
  })
})
