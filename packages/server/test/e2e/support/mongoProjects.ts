import { inject, it } from "vitest"

/**
 * `it` for a test that needs no Mongo server but shares a file that runs once per Mongo server
 * (MONGO_TESTS in vitest.config.ts): it runs on mongo-java-server (or MONGO_URL's MongoDB, the only
 * Mongo project then) and is skipped on FerretDB, so each suite run has it exactly once.
 */
export const itOnce = it.skipIf(inject("mongoServer") === "ferretdb")
