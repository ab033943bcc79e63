import { Effect, Either } from "effect"
import { type CommandContext, CommandFailure } from "./Command.js"
import { runEffect } from "./failures.js"
import { loadOpsConfig, type StoreConfig } from "./opsConfig.js"
import { type OpsServices, opsLayer } from "./opsLayer.js"

const MISSING_MONGO_URI =
  "MONGO_URI is not set: ops commands read and repair the service's MongoDB. Set MONGO_URI (and MONGO_DB_NAME if the database is not in the URI's path) to the values the server runs with."

/** The store commands' configuration, or a failure that names what to fix. */
export const storeConfig = (context: CommandContext): StoreConfig => {
  const config = loadOpsConfig(context.env)
  if (Either.isLeft(config)) {
    throw new CommandFailure(
      "CONFIG_INVALID",
      `${config.left.message}\nRun \`pnpm ops doctor\` for every check and its fix.`,
      {
        problems: config.left.problems,
      },
    )
  }
  const { mongo } = config.right
  if (mongo === null) throw new CommandFailure("MONGO_URI_MISSING", MISSING_MONGO_URI)
  return { ...config.right, mongo }
}

/** Connects to the store the environment names, runs `program`, disconnects. */
export const withStore = <A, E>(
  context: CommandContext,
  program: Effect.Effect<A, E, OpsServices>,
): Promise<A> => runEffect(Effect.provide(program, opsLayer(storeConfig(context))))
