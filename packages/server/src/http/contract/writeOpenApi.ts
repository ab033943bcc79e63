import { resolve } from "node:path"
import { writeOpenApi } from "./document.js"

/** `pnpm run openapi`: writes docs/openapi.json (or the path given) from the route declarations. */
const target = resolve(process.argv[2] ?? "docs/openapi.json")
writeOpenApi(target)
process.stdout.write(`wrote ${target}\n`)
