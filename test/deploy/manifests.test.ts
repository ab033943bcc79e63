import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { SHUTDOWN_TIMEOUT_MS } from "../../packages/server/src/bootstrap/settings.js"
import { VARIABLES } from "../../packages/server/src/config/Config.js"
import { loadConfig } from "../../packages/server/src/config/loadConfig.js"
import { envOf, lastOf, readStages, repoRoot, stageNamed } from "./dockerfile.js"
import {
  type Container,
  kubernetesContainer,
  kubernetesDeployment,
  kubernetesService,
  readKubernetes,
  readRender,
} from "./manifests.js"

/** deploy/'s examples against each other, the Dockerfile and the server's configuration. */

const runtime = stageNamed(readStages(), "runtime")
const SHUTDOWN_TIMEOUT_SECONDS = SHUTDOWN_TIMEOUT_MS / 1000
/** Values that must never be written into a manifest: each comes from a Secret or a dashboard prompt. */
const SECRETS = [
  "MONGO_URI",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "ADMIN_JWT_SECRET",
  "CLOUDINARY_API_KEY",
  "CLOUDINARY_API_SECRET",
]
const known = (name: string) => (VARIABLES as ReadonlyArray<string>).includes(name)

/** Realistic stand-ins for what the manifests leave to a Secret or a dashboard prompt. */
const FILLED_IN: Record<string, string> = {
  MONGO_URI:
    "mongodb://db-0.internal:27017,db-1.internal:27017,db-2.internal:27017/settle?replicaSet=rs0&w=majority",
  STRIPE_SECRET_KEY: "sk_live_51Hq7Lm2Rk9Tz4Vb8Nw3Xc6Pd",
  STRIPE_WEBHOOK_SECRET: "whsec_5f0e1d2c3b4a5f0e1d2c3b4a9e8d",
  ADMIN_JWT_SECRET: "q9Zr2Lk7Vb4Nw8Xt1Hc6Mj3Pd5Sg0Fy2Ua7Ke4Rn",
  CLOUDINARY_CLOUD_NAME: "settle-shop",
  CLOUDINARY_API_KEY: "123456789012345",
  CLOUDINARY_API_SECRET: "a1B2c3D4e5F6g7H8i9J0kLmNoPq",
  PUBLIC_URL: "https://shop.example.com",
}

/** Why the server would refuse to start on this environment: null when it starts. */
const refusal = (env: Record<string, string>): string | null => {
  const config = loadConfig(env)
  return config._tag === "Left" ? config.left.message : null
}

/** The manifest's values, with each value it leaves to someone else filled in. */
const completed = (names: ReadonlyArray<string>, literals: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    names.map((name) => {
      const value = literals[name] ?? FILLED_IN[name]
      if (value === undefined) throw new Error(`no stand-in value for ${name}`)
      return [name, value]
    }),
  )

const literalEnv = (container: Container): Record<string, string> =>
  Object.fromEntries(container.env.flatMap((v) => (v.value === undefined ? [] : [[v.name, v.value]])))

describe("deploy/kubernetes.yaml", () => {
  const container = kubernetesContainer()
  const drainDelay = Number(literalEnv(container).DRAIN_DELAY_SECONDS)

  it("parses as a Deployment and a Service", () => {
    expect(readKubernetes().map((object) => object.kind)).toEqual(["Deployment", "Service"])
  })

  it("sets only variables the server knows, starts it once the Secret is filled in, and keeps secrets in it", () => {
    const names = container.env.map((v) => v.name)
    expect(names.filter((name) => !known(name))).toEqual([])
    expect(refusal(completed(names, literalEnv(container)))).toBeNull()
    for (const name of SECRETS) {
      const variable = container.env.find((v) => v.name === name)
      expect([name, variable?.value, variable?.valueFrom?.secretKeyRef?.key]).toEqual([name, undefined, name])
    }
  })

  it("probes readiness on /readyz and liveness on /healthz, on the port the server listens on", () => {
    expect(container.readinessProbe.httpGet.path).toBe("/readyz")
    expect(container.livenessProbe.httpGet.path).toBe("/healthz")
    expect(container.startupProbe?.httpGet.path).toBe("/healthz")
    const [port, ...others] = container.ports
    expect(others).toEqual([])
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
      expect([port?.name, port?.containerPort]).toContain(probe?.httpGet.port)
    }
    expect(String(port?.containerPort)).toBe(literalEnv(container).PORT ?? envOf(runtime).PORT)
    expect(lastOf(runtime, "EXPOSE")).toBe(String(port?.containerPort))
    const targetPort = kubernetesService().spec.ports[0]?.targetPort
    expect([port?.name, port?.containerPort]).toContain(targetPort)
  })

  it("sleeps in preStop as long as the drain delay, and gives the whole shutdown time before SIGKILL", () => {
    expect(drainDelay).toBeGreaterThan(0)
    const preStop = container.lifecycle?.preStop?.exec?.command ?? []
    expect(preStop).toEqual(["sleep", String(drainDelay)])
    const grace = kubernetesDeployment().spec.template.spec.terminationGracePeriodSeconds
    expect(grace).toBeGreaterThan(drainDelay + drainDelay + SHUTDOWN_TIMEOUT_SECONDS)
  })

  it("runs as the image's non-root user, with requests and a memory limit", () => {
    const pod = kubernetesDeployment().spec.template.spec
    expect(pod.securityContext?.runAsNonRoot).toBe(true)
    expect(`${pod.securityContext?.runAsUser}`).toBe(lastOf(runtime, "USER").split(":")[0])
    expect(container.securityContext?.allowPrivilegeEscalation).toBe(false)
    expect(Object.keys(container.resources?.requests ?? {}).toSorted()).toEqual(["cpu", "memory"])
    expect(container.resources?.limits?.memory).toBeDefined()
    // Several replicas need a shared store and shared media: the manifest must configure both.
    expect(kubernetesDeployment().spec.replicas).toBeGreaterThan(1)
    expect(container.env.map((v) => v.name)).toEqual(
      expect.arrayContaining(["MONGO_URI", "CLOUDINARY_CLOUD_NAME"]),
    )
  })
})

describe("deploy/render.yaml", () => {
  const services = readRender()

  it("is one Docker web service built from the repository's Dockerfile", () => {
    expect(services.map((s) => [s.type, s.runtime])).toEqual([["web", "docker"]])
    for (const service of services) expect(existsSync(join(repoRoot, service.dockerfilePath))).toBe(true)
  })

  it("checks health on /healthz and waits past the drain before SIGKILL", () => {
    for (const service of services) {
      expect(service.healthCheckPath).toBe("/healthz")
      const drainDelay = Number(service.envVars.find((v) => v.key === "DRAIN_DELAY_SECONDS")?.value)
      expect(drainDelay).toBeGreaterThan(0)
      expect(service.maxShutdownDelaySeconds).toBeGreaterThan(drainDelay + SHUTDOWN_TIMEOUT_SECONDS)
    }
  })

  it("sets only variables the server knows, starts it once the prompts are answered, and prompts for every secret", () => {
    for (const service of services) {
      const names = service.envVars.map((v) => v.key)
      expect(names.filter((key) => !known(key))).toEqual([])
      const literals = Object.fromEntries(
        service.envVars.flatMap((v) => (v.value === undefined ? [] : [[v.key, v.value]])),
      )
      expect(refusal(completed(names, literals))).toBeNull()
      for (const name of SECRETS) {
        expect(service.envVars.find((v) => v.key === name)).toEqual({ key: name, sync: false })
      }
    }
  })
})

describe("docs/deploy.md", () => {
  it("names only variables the server reads, and every one a deployment sets", () => {
    const doc = readFileSync(join(repoRoot, "docs/deploy.md"), "utf8")
    // The environment table's rows: | `NAME` | … (NODE_ENV is the image's, not the server's).
    const documented = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1] ?? "")
    expect(documented.filter((name) => !known(name) && name !== "NODE_ENV")).toEqual([])
    const set = [
      ...kubernetesContainer().env.map((v) => v.name),
      ...readRender().flatMap((s) => s.envVars.map((v) => v.key)),
    ]
    expect(set.filter((name) => !documented.includes(name))).toEqual([])
  })
})
