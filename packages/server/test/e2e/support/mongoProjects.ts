import { inject } from "vitest"

/**
 * Whether a test that needs no Mongo server, in a file that runs once per Mongo server (MONGO_TESTS in
 * vitest.config.ts), is left to another project: it runs on mongo-java-server (or MONGO_URL's MongoDB,
 * the only project then) and is skipped on FerretDB, so each suite run has it exactly once.
 */
export const storeFreeElsewhere = (): boolean => inject("mongoServer") === "ferretdb"
