# Settle's reference server (@settle/server) as a container: docs/deploy.md explains how to run it.
#   docker build -t settle .
#   docker run --rm -p 3000:3000 settle     (the embedded default: in-memory stores, sandbox payments)
# test/deploy/productionArtifact.test.ts builds the artifact with the build stage's RUN and starts it
# with this file's ENV, WORKDIR, CMD and HEALTHCHECK: keep ENV as NAME=value, CMD and HEALTHCHECK as
# JSON arrays.

FROM node:20-slim AS build
# The pnpm that package.json's packageManager pins (test/deploy checks they agree).
ARG PNPM_VERSION=12.4.2
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}"
WORKDIR /build
COPY . .
RUN scripts/deploy/build-artifact.sh /artifact

FROM node:20-slim AS runtime
ENV NODE_ENV=production
# The server's own default is loopback when MONGO_URI and STRIPE_SECRET_KEY are unset; in a container
# only the published port reaches it, so it listens on every interface whatever the configuration.
ENV HOST=0.0.0.0
ENV PORT=3000
WORKDIR /app
# Owned by root and not writable by the user the server runs as.
COPY --from=build /artifact /app
# The image's `node` user, by number: Kubernetes' runAsNonRoot can only verify a numeric user.
USER 1000:1000
EXPOSE 3000
# Liveness only (it never touches MongoDB); slim images have no curl, node has fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as PID 1 and needs no init: the server installs its own SIGTERM/SIGINT handlers (readiness
# 503 for DRAIN_DELAY_SECONDS, then the port closes and in-flight requests finish), and exits 0.
CMD ["node", "dist/main.js"]
