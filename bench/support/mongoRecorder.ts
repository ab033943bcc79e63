import { appendFileSync } from "node:fs"
import { createRequire } from "node:module"
import type * as Mongo from "../../packages/adapters/node_modules/mongodb/mongodb.js"

/**
 * Preloaded (`--import`) into a Settle process the Mongo bench records: every MongoClient the server
 * connects gets command monitoring on, and each `commandStarted` is appended, one JSON line each, to
 * the file BENCH_MONGO_RECORD names. Synchronous appends, so a command is in the file before its
 * answer reaches the server and before the HTTP answer reaches the bench. Only the recording process
 * carries it; the processes that are measured do not.
 */
const file = process.env.BENCH_MONGO_RECORD
const fromAdapters = createRequire(new URL("../../packages/adapters/package.json", import.meta.url))
const mongo = fromAdapters("mongodb") as typeof Mongo
// Connection upkeep, not store operations.
const UPKEEP = new Set(["hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo", "getParameter"])

if (file !== undefined) {
  const connect = mongo.MongoClient.prototype.connect
  const monitored = new WeakSet<Mongo.MongoClient>()
  mongo.MongoClient.prototype.connect = function (this: Mongo.MongoClient) {
    if (!monitored.has(this)) {
      monitored.add(this)
      // The driver has a setter for it (lib/mongo_client.js) that its typings leave out.
      ;(this as unknown as { monitorCommands: boolean }).monitorCommands = true
      this.on("commandStarted", (event) => {
        if (UPKEEP.has(event.commandName)) return
        const line = {
          at: Date.now(),
          name: event.commandName,
          db: event.databaseName,
          command: mongo.BSON.EJSON.stringify(event.command, { relaxed: false }),
        }
        appendFileSync(file, `${JSON.stringify(line)}\n`)
      })
    }
    return connect.call(this)
  }
}
