/** For embedding and for tests: start the reference server in-process, or mount its Koa app yourself. */

export { appLayer, type LayerPlan, type PaymentsPlan, type StoragePlan } from "./bootstrap/layers.js"
export { BootstrapError, type RunningServer, type ServerSettings, startServer } from "./bootstrap/start.js"
export { type AppOptions, makeApp } from "./http/app.js"
export { type Problem, problemFor } from "./http/errors.js"
export type { AppRuntime, AppServices } from "./runtime.js"
