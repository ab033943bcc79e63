/**
 * Every production adapter. Each adapter module is a namespace: they all export `layer`, so flat
 * re-exports would collide. The subpaths (`@settle/adapters/memory`, `/sandbox`, `/mongo`, `/stripe`)
 * load only their own vendor SDK.
 */
export * as CloudinaryMediaStorage from "./cloudinary/CloudinaryMediaStorage.js"
export * as PinoLogger from "./logging/PinoLogger.js"
export * as LocalDiskMediaStorage from "./media/LocalDiskMediaStorage.js"
export * from "./memory/index.js"
export type { GaugeReading } from "./metrics/gauges.js"
export { PrometheusRegistry } from "./metrics/PrometheusRegistry.js"
export * as PromMetrics from "./metrics/PromMetrics.js"
export * from "./mongo/index.js"
export * from "./sandbox/index.js"
export * from "./stripe/index.js"
export * as RandomIds from "./system/RandomIds.js"
export * as SystemClock from "./system/SystemClock.js"
