import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through this export condition, so tests run
// without a build; published packages resolve to dist/ (the consumer test checks that path).
const SOURCE = "@settle/source"

export default defineConfig({
  resolve: { conditions: [SOURCE, "import", "module", "node", "default"] },
  ssr: { resolve: { conditions: [SOURCE, "import", "module", "node", "default"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    // Starts FerretDB on loopback (or uses MONGO_URL) for the Mongo suites.
    globalSetup: ["packages/adapters/test/support/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
})
