import { Redacted } from "effect"
import { SignJWT } from "jose"
import type { AdminAuthConfig } from "../config/index.js"

/** Long enough to try the admin API, short enough that a token pasted into a ticket soon stops working. */
const DEMO_TOKEN_LIFETIME = "1h"

/**
 * When the embedded default generated the admin secret nobody else knows it, so the admin API would be
 * unreachable: sign a short-lived demo token with it for the banner. Never when the secret was given.
 */
export const demoAdminToken = async (admin: AdminAuthConfig): Promise<string | null> => {
  if (admin._tag !== "SharedSecret" || !admin.generated) return null
  let jwt = new SignJWT({ role: "admin", email: "demo-admin@settle.invalid" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("demo-admin")
    .setIssuedAt()
    .setExpirationTime(DEMO_TOKEN_LIFETIME)
  if (admin.issuer !== undefined) jwt = jwt.setIssuer(admin.issuer)
  if (admin.audience !== undefined) jwt = jwt.setAudience(admin.audience)
  return jwt.sign(new TextEncoder().encode(Redacted.value(admin.secret)))
}
