import { writeFileSync } from "node:fs"
import { routeDeclarations } from "./declarations.js"
import { openApiDocument } from "./openapi.js"

/** docs/openapi.json's text: the document of every declared route, as `pnpm run openapi` writes it. */
export const openApiText = (): string => `${JSON.stringify(openApiDocument(routeDeclarations), null, 2)}\n`

/** `pnpm run openapi [path]`: (re)writes the committed document. */
export const writeOpenApi = (path: string): void => {
  writeFileSync(path, openApiText())
}
