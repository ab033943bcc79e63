import { Either } from "effect"
import type { JWTPayload } from "jose"
import { AdminForbidden, AdminUnauthorized } from "./errors.js"

/** Who the admin is, from a verified token. */
export interface AdminActor {
  /** The token's `sub`: stable at the identity provider. */
  readonly subject: string
  /** The token's `email` claim, when it carries a plausible one. */
  readonly email?: string
}

/** The name the audit log records for an admin: the email people recognise, else the subject. */
export const auditActor = (admin: AdminActor): string => admin.email ?? admin.subject

export const ADMIN_ROLE = "admin"

/**
 * The two shapes identity providers use for roles, both accepted:
 * - `"role": "admin"` (a single role, as in Supabase and most hand-rolled issuers);
 * - `"roles": ["support", "admin"]` (a list, as in Azure AD / Entra app roles and Keycloak mappers).
 * The match is exact: "Admin" or "admins" is not the admin role.
 */
export const hasAdminRole = (payload: JWTPayload): boolean => {
  const { role, roles } = payload
  return role === ADMIN_ROLE || (Array.isArray(roles) && roles.includes(ADMIN_ROLE))
}

const EMAIL = /^[^\s@]+@[^\s@]+$/

/** The admin behind a verified payload, or why it is not one. */
export const adminOf = (
  payload: JWTPayload,
): Either.Either<AdminActor, AdminUnauthorized | AdminForbidden> => {
  const subject = payload.sub
  if (typeof subject !== "string" || subject.trim() === "") {
    return Either.left(
      new AdminUnauthorized({ reason: "invalid_claims", message: "the token has no subject" }),
    )
  }
  if (!hasAdminRole(payload)) {
    return Either.left(new AdminForbidden({ subject, message: "the token does not carry the admin role" }))
  }
  const email = payload.email
  // An email the audit log would show must look like one; anything else falls back to the subject.
  return Either.right(
    typeof email === "string" && email.length <= 254 && EMAIL.test(email) ? { subject, email } : { subject },
  )
}
