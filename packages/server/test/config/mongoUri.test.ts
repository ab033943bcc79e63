import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { loadConfig } from "../../src/config/index.js"
import { expectNoLeak, production, secrets } from "./support.js"

const RUNBOOK = 'MONGO_URI must start with "mongodb://" or "mongodb+srv://"'

const mongoProblems = (uri: string) =>
  Either.match(loadConfig({ ...production, MONGO_URI: uri }), {
    onLeft: (error) => error.problems.filter((problem) => problem.variable === "MONGO_URI"),
    onRight: () => [],
  })

describe("MONGO_URI (runbook scenario 8)", () => {
  it("reports a placeholder with the runbook's message and what was found", () => {
    const [problem, ...more] = mongoProblems("CHANGE_ME_MONGO_URI")
    expect(more).toEqual([])
    expect(problem?.message.startsWith(`${RUNBOOK} (`)).toBe(true)
    expect(problem?.message).toContain("placeholder (CHANGE_ME…)")
    expectNoLeak({ MONGO_URI: "CHANGE_ME_MONGO_URI" }, "CHANGE_ME_MONGO_URI")
  })

  it("reports another database's scheme by its scheme only", () => {
    const uri = "postgres://settle:Pa55w0rdXyz@db.example.com/shop"
    const [problem] = mongoProblems(uri)
    expect(problem?.message).toBe(`${RUNBOOK} (got "postgres://")`)
    expectNoLeak({ MONGO_URI: uri }, "Pa55w0rdXyz")
  })

  it("reports a value without any scheme", () => {
    expect(mongoProblems("cluster0.abcde.mongodb.net")[0]?.message).toBe(
      `${RUNBOOK} (got a value without a "scheme://" prefix)`,
    )
  })

  it("reports quotes kept around the value", () => {
    const [problem, ...more] = mongoProblems(`"${secrets.mongoUri}"`)
    expect(more).toEqual([])
    expect(problem?.message).toBe(`${RUNBOOK} (the value is wrapped in quotes; remove them)`)
    expectNoLeak({ MONGO_URI: `"${secrets.mongoUri}"` }, secrets.mongoUri)
  })

  it("reports leading whitespace", () => {
    const [problem] = mongoProblems(` ${secrets.mongoUri}`)
    expect(problem?.message).toBe(`${RUNBOOK} (the value has leading whitespace or a line break; remove it)`)
  })

  it("reports every flaw that hides the scheme in the one message", () => {
    const [problem, ...more] = mongoProblems(` '${secrets.mongoUri}'\n`)
    expect(more).toEqual([])
    expect(problem?.message).toContain("leading whitespace")
    expect(problem?.message).toContain("trailing whitespace")
    expect(problem?.message).toContain("wrapped in quotes")
  })

  it("reports a trailing line break after a good scheme by name, without the scheme message", () => {
    const problems = mongoProblems(`${secrets.mongoUri}\n`)
    expect(problems.map((problem) => problem.message)).toEqual([
      "MONGO_URI has trailing whitespace or a line break; remove it",
    ])
  })

  it("reports Atlas's <password> placeholder left in a good URI", () => {
    const problems = mongoProblems("mongodb+srv://settle:<password>@cluster0.abcde.mongodb.net/shop")
    expect(problems).toHaveLength(1)
    expect(problems[0]?.message).toMatch(
      /^MONGO_URI still holds a placeholder \(<…>\); set the real value from MongoDB Atlas/,
    )
  })

  it("accepts both schemes", () => {
    expect(mongoProblems("mongodb://127.0.0.1:27017/settle")).toEqual([])
    expect(mongoProblems(secrets.mongoUri)).toEqual([])
  })
})
