import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse, parseAllDocuments } from "yaml"
import { repoRoot } from "./dockerfile.js"

/** The parts of deploy/'s manifests the tests read; everything else is left to the platforms. */

export interface HttpProbe {
  readonly httpGet: { readonly path: string; readonly port: string | number }
}

export interface EnvVar {
  readonly name: string
  readonly value?: string
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } }
}

export interface Container {
  readonly ports: ReadonlyArray<{ readonly name?: string; readonly containerPort: number }>
  readonly env: ReadonlyArray<EnvVar>
  readonly startupProbe?: HttpProbe
  readonly livenessProbe: HttpProbe
  readonly readinessProbe: HttpProbe
  readonly lifecycle?: { readonly preStop?: { readonly exec?: { readonly command: ReadonlyArray<string> } } }
  readonly securityContext?: {
    readonly allowPrivilegeEscalation?: boolean
    readonly readOnlyRootFilesystem?: boolean
  }
  readonly resources?: {
    readonly requests?: Record<string, string>
    readonly limits?: Record<string, string>
  }
}

export interface Deployment {
  readonly kind: "Deployment"
  readonly spec: {
    readonly replicas: number
    readonly template: {
      readonly spec: {
        readonly terminationGracePeriodSeconds: number
        readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number }
        readonly containers: ReadonlyArray<Container>
      }
    }
  }
}

export interface Service {
  readonly kind: "Service"
  readonly spec: {
    readonly ports: ReadonlyArray<{ readonly port: number; readonly targetPort: string | number }>
  }
}

export interface RenderService {
  readonly type: string
  readonly runtime: string
  readonly dockerfilePath: string
  readonly healthCheckPath: string
  readonly maxShutdownDelaySeconds?: number
  readonly envVars: ReadonlyArray<{ readonly key: string; readonly value?: string; readonly sync?: boolean }>
}

const read = (file: string) => readFileSync(join(repoRoot, "deploy", file), "utf8")

/** Every document of deploy/kubernetes.yaml; a YAML error fails the read. */
export const readKubernetes = (): ReadonlyArray<{ readonly kind: string }> =>
  parseAllDocuments(read("kubernetes.yaml")).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`deploy/kubernetes.yaml: ${doc.errors.join("; ")}`)
    const value: unknown = doc.toJS()
    return value as { readonly kind: string }
  })

const only = (kind: string): unknown => {
  const found = readKubernetes().filter((object) => object.kind === kind)
  if (found.length !== 1) throw new Error(`deploy/kubernetes.yaml: ${found.length} objects of kind ${kind}`)
  return found[0]
}

export const kubernetesDeployment = (): Deployment => only("Deployment") as Deployment
export const kubernetesService = (): Service => only("Service") as Service

/** The Settle container of the Deployment. */
export const kubernetesContainer = (): Container => {
  const [container, ...others] = kubernetesDeployment().spec.template.spec.containers
  if (container === undefined || others.length > 0)
    throw new Error("deploy/kubernetes.yaml: want one container")
  return container
}

export const readRender = (): ReadonlyArray<RenderService> => {
  const value: unknown = parse(read("render.yaml"))
  return (value as { readonly services: ReadonlyArray<RenderService> }).services
}

/** Every HTTP path a platform probes: Kubernetes' startup, liveness and readiness, Render's health check. */
export const probePaths = (): ReadonlyArray<string> => {
  const container = kubernetesContainer()
  const probes = [container.startupProbe, container.livenessProbe, container.readinessProbe]
  return [
    ...new Set([
      ...probes.flatMap((probe) => (probe === undefined ? [] : [probe.httpGet.path])),
      ...readRender().map((service) => service.healthCheckPath),
    ]),
  ]
}
