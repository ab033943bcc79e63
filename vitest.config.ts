import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through this export condition, so tests run
// without a build; published packages resolve to dist/ (the consumer test checks that path).
const SOURCE = "@settle/source"

// The test files that run once per Mongo server, each time in a project of its own: the adapters'
// suites, and the server's Mongo-mode, replica and store-refusal tests. A store-free test sharing one of
// these files runs in one Mongo project only (packages/server/test/e2e/support/mongoProjects.ts).
const MONGO_TESTS = [
  "packages/adapters/test/mongo/**/*.test.ts",
  "packages/server/test/mongoMode.test.ts",
  "packages/server/test/e2e/mongoMode.test.ts",
  "packages/server/test/e2e/sandboxReplicas.test.ts",
  "packages/server/test/e2e/nonAtomicStore.test.ts",
  "packages/server/test/e2e/production.test.ts",
  "packages/server/test/e2e/checkoutRacesMongo.test.ts",
  "packages/server/test/jobs/replicas.test.ts",
  "packages/server/test/jobs/invoiceMode.test.ts",
  "packages/server/test/runbook/scenario8.test.ts",
  "test/bench/smokeMongo.test.ts",
]

// MONGO_URL replaces the loopback servers with one MongoDB, on which the suites assert MongoDB's
// documented semantics; otherwise FerretDB v1 (DESIGN.md §8's peer) and mongo-java-server, whose
// conditional writes are atomic as FerretDB v1's are not: the concurrency tests' full assertions run there.
const MONGO_SERVERS = process.env.MONGO_URL
  ? (["external"] as const)
  : (["ferretdb", "mongo-java-server"] as const)

// Each project repeats these rather than `extends: true`, which would also repeat the root's
// globalSetup: stripe-mock and the default Mongo server start once per run, not once per project.
const shared = {
  resolve: { conditions: [SOURCE, "import", "module", "node", "default"] },
  ssr: { resolve: { conditions: [SOURCE, "import", "module", "node", "default"] } },
}
const sharedTest = { testTimeout: 60_000, hookTimeout: 120_000, pool: "forks" } as const

const mongoProject = (server: (typeof MONGO_SERVERS)[number]): TestProjectInlineConfiguration => ({
  ...shared,
  test: {
    ...sharedTest,
    name: `mongo:${server}`,
    include: MONGO_TESTS,
    provide: { mongoServer: server },
    // FerretDB and MONGO_URL come from the root setup; mongo-java-server starts only when its project runs.
    globalSetup:
      server === "mongo-java-server" ? ["packages/adapters/test/support/mongoJavaServerSetup.ts"] : [],
  },
})

export default defineConfig({
  ...shared,
  test: {
    ...sharedTest,
    // vitest's default is one worker on 2 cores (cores - 1); most files wait on child processes and the
    // loopback peers rather than on CPU, so a second worker roughly halves the run.
    maxWorkers: 2,
    // Once per run, inherited by every project: stripe-mock, and FerretDB on loopback (or MONGO_URL).
    globalSetup: ["packages/adapters/test/support/globalSetup.ts"],
    projects: [
      {
        ...shared,
        test: {
          ...sharedTest,
          name: "settle",
          include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...MONGO_TESTS],
        },
      },
      ...MONGO_SERVERS.map(mongoProject),
    ],
  },
})
