import { createRequire } from "node:module"
import type RouterClass from "../../packages/server/node_modules/@koa/router/dist/index.js"
import type Autocannon from "../../packages/server/node_modules/@types/autocannon/index.js"
import type KoaClass from "../../packages/server/node_modules/@types/koa/index.js"

/**
 * autocannon, koa and @koa/router are dependencies of @settle/server; the workspace root carries only its tooling
 * (and may not gain dependencies for the benchmark), so they are loaded from the server package.
 */
const fromServer = createRequire(new URL("../../packages/server/package.json", import.meta.url))

export const autocannon = fromServer("autocannon") as typeof Autocannon
export const Koa = fromServer("koa") as typeof KoaClass
export const Router = fromServer("@koa/router") as typeof RouterClass
export type { Autocannon }
