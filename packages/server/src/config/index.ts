export { bootstrapFailure } from "./bootstrapFailure.js"
export type {
  AdminAuthConfig,
  Config,
  JobsConfig,
  LogLevel,
  MediaConfig,
  MediaStoreConfig,
  PaymentsConfig,
  ServerConfig,
  StorageConfig,
  TokenClaims,
} from "./Config.js"
export { ConfigError, type ConfigProblem } from "./ConfigError.js"
export { DEFAULTS, type LoadOptions, loadConfig } from "./loadConfig.js"
