#!/usr/bin/env node
import { runOps } from "./runOps.js"

// `pnpm ops <command>`: the exit code is set, not forced, so stdout is flushed before the process ends.
process.exitCode = await runOps(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
})
