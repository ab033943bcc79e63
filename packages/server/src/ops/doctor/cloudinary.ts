import { flawsOf } from "../../config/secrets.js"
import { type CheckResult, fail, ok, skip, warn } from "./Check.js"

type Variable = "CLOUDINARY_CLOUD_NAME" | "CLOUDINARY_API_KEY" | "CLOUDINARY_API_SECRET"
type Shape = "cloud name" | "API key" | "API secret"

const EXPECTED: ReadonlyArray<readonly [Variable, Shape]> = [
  ["CLOUDINARY_CLOUD_NAME", "cloud name"],
  ["CLOUDINARY_API_KEY", "API key"],
  ["CLOUDINARY_API_SECRET", "API secret"],
]

const DESCRIBED: Readonly<Record<Shape, string>> = {
  "cloud name": "a short lower-case name",
  "API key": "digits only",
  "API secret": "about 27 letters, digits, - and _",
}

export const SCENARIO_7_FIX =
  'copy Cloud Name, API Key and API Secret from Cloudinary Dashboard → Settings → API Keys into CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET of the deployment (e.g. Render → Environment), with no spaces or line breaks, and redeploy (runbook scenario 7, "Invalid Signature")'

/**
 * What a value looks like. An API key is all digits; a secret is ~27 characters of base64url with upper
 * case in it (Cloudinary's secrets always have some); a cloud name is lower case. Long lower-case
 * base64url is taken for a secret too, since no dashboard generates cloud names that long.
 */
export const shapeOf = (value: string): Shape | null => {
  if (/^\d{6,20}$/.test(value)) return "API key"
  const base64url = /^[A-Za-z0-9_-]{24,40}$/.test(value)
  if (base64url && /[A-Z]/.test(value)) return "API secret"
  if (/^[a-z0-9][a-z0-9_-]{0,22}$/.test(value)) return "cloud name"
  return base64url ? "API secret" : null
}

/**
 * Runbook scenario 7's "Invalid Signature" comes from a wrong secret: often one pasted with a line
 * break (the config checks report those), or a value in the wrong variable, which only its shape shows.
 * Values with flaws are left to the config checks; nothing here prints a value.
 */
export const cloudinaryShapes = (raw: Partial<Record<Variable, string>>): ReadonlyArray<CheckResult> => {
  const set = EXPECTED.filter(([variable]) => raw[variable] !== undefined)
  if (set.length === 0) {
    return [skip("CLOUDINARY_*", "Cloudinary is not configured: media uploads use the embedded store")]
  }
  const shapes = new Map(
    set.map(([variable]) => {
      const value = raw[variable] ?? ""
      return [variable, flawsOf(value).length > 0 ? undefined : shapeOf(value)] as const
    }),
  )
  const holding = (shape: Shape) => EXPECTED.find(([variable]) => shapes.get(variable) === shape)?.[0]
  return set.flatMap(([variable, expected]): ReadonlyArray<CheckResult> => {
    const actual = shapes.get(variable)
    if (actual === undefined) return []
    if (actual === expected)
      return [ok(variable, `looks like a Cloudinary ${expected} (${DESCRIBED[expected]})`)]
    if (actual === null) {
      return [
        warn(
          variable,
          `${variable} does not look like a Cloudinary ${expected} (${DESCRIBED[expected]})`,
          SCENARIO_7_FIX,
        ),
      ]
    }
    const message = `looks like the ${actual} (${DESCRIBED[actual]}), not the ${expected} (${DESCRIBED[expected]})`
    const owner = EXPECTED.find(([, shape]) => shape === actual)?.[0]
    const swapped = owner !== undefined && holding(expected) === owner
    return [
      fail(
        variable,
        `${variable} ${message}`,
        swapped
          ? `${variable} and ${owner} look swapped: exchange their values; then ${SCENARIO_7_FIX}`
          : SCENARIO_7_FIX,
      ),
    ]
  })
}

export interface CloudinaryAccount {
  readonly cloudName: string
  readonly apiKey: string
  readonly apiSecret: string
}

/** Cloudinary's Admin API ping, authenticated with the key and secret: a 401 means they do not match. */
export const pingCloudinary = async (
  account: CloudinaryAccount,
  options: { readonly baseUrl?: string; readonly timeoutMs?: number } = {},
): Promise<CheckResult> => {
  const base = options.baseUrl ?? "https://api.cloudinary.com"
  const url = `${base}/v1_1/${encodeURIComponent(account.cloudName)}/ping`
  const authorization = `Basic ${Buffer.from(`${account.apiKey}:${account.apiSecret}`).toString("base64")}`
  try {
    const response = await fetch(url, {
      headers: { Authorization: authorization },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    })
    if (response.ok) return ok("cloudinary.api", `Cloudinary accepted the cloud name, API key and API secret`)
    const body = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null
    const said = typeof body?.error?.message === "string" ? `: ${body.error.message}` : ""
    return fail("cloudinary.api", `Cloudinary answered ${response.status}${said}`, SCENARIO_7_FIX)
  } catch (error) {
    return fail(
      "cloudinary.api",
      `cannot reach Cloudinary at ${base}: ${error instanceof Error ? error.message : String(error)}`,
      "check this host's outbound HTTPS access to api.cloudinary.com",
    )
  }
}

export const offlineCloudinary = (): CheckResult =>
  skip(
    "cloudinary.api",
    "not contacted (the doctor stays offline by default): add --online to ping Cloudinary",
  )
