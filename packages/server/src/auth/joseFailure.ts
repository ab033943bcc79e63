import { errors } from "jose"
import { AdminAuthUnavailable, AdminUnauthorized, type UnauthorizedReason } from "./errors.js"

const refuse = (reason: UnauthorizedReason, message: string) => new AdminUnauthorized({ reason, message })

/** A claim check jose refused: which claim decides the reason. */
const claimFailure = (failure: errors.JWTClaimValidationFailed) => {
  switch (failure.claim) {
    case "nbf":
      return refuse("not_yet_valid", "the token is not valid yet")
    case "iss":
      return refuse("wrong_issuer", "the token was issued by someone else")
    case "aud":
      return refuse("wrong_audience", "the token is meant for another audience")
    default:
      return refuse("invalid_claims", `the token's "${failure.claim}" claim is ${failure.reason}`)
  }
}

/**
 * Sort what `jwtVerify` threw: the token's fault (401) or ours (503). Only the JWKS fetch fails with
 * something other than a token error: a timeout, a non-200 answer or non-JSON body (a plain
 * JOSEError), an unusable key set, or the network itself (fetch's TypeError). None of those says
 * anything about the token, so refusing it would make clients drop a valid token.
 */
export const joseFailure = (cause: unknown): AdminUnauthorized | AdminAuthUnavailable => {
  if (cause instanceof errors.JWTExpired) return refuse("expired", "the token has expired")
  if (cause instanceof errors.JWTClaimValidationFailed) return claimFailure(cause)
  if (cause instanceof errors.JWSSignatureVerificationFailed)
    return refuse("bad_signature", "the token's signature does not verify")
  if (cause instanceof errors.JOSEAlgNotAllowed || cause instanceof errors.JOSENotSupported)
    return refuse("algorithm_not_allowed", "the token's signing algorithm is not accepted")
  if (cause instanceof errors.JWKSNoMatchingKey || cause instanceof errors.JWKSMultipleMatchingKeys)
    return refuse("unknown_key", "no key of the identity provider matches the token")
  if (cause instanceof errors.JWSInvalid || cause instanceof errors.JWTInvalid)
    return refuse("malformed_token", "the token is not a well-formed JWT")
  if (cause instanceof errors.JWKSTimeout)
    return new AdminAuthUnavailable({ message: "the identity provider's JWKS timed out", cause })
  return new AdminAuthUnavailable({ message: "the identity provider's JWKS could not be used", cause })
}
