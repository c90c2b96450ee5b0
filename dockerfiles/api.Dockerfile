# syntax=docker/dockerfile:1
# The inference API (packages/api): Fastify on tfjs' wasm backend with our kernels (the engine the tests run), the
# model resolved from the registry at start (an empty registry is first seeded with the shipped model, reports/model).
#
#   docker build -f dockerfiles/api.Dockerfile -t mri-api .
#   docker run --rm -p 8080:8080 -v "$PWD/registry:/app/registry:ro" mri-api

# The first stage is the same in all three Dockerfiles, so one build's layers serve the others.
FROM node:20.20.2-bookworm-slim AS workspace
ENV CI=true
RUN npm install --global --no-fund --no-audit pnpm@10.34.9
WORKDIR /app
# Dependencies are keyed on the lockfile alone, so a source change re-uses this layer. `pnpm fetch` fills the store
# and links every package of the workspace into node_modules; dropping that links only what an image installs.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch --prod && rm -rf node_modules
# The root install runs `prepare` (scripts/install-hooks.mjs), which installs no hook on CI or outside git.
COPY package.json tsconfig.json tsconfig.base.json ./
COPY scripts/install-hooks.mjs ./scripts/
COPY packages ./packages

FROM workspace AS build
RUN pnpm install --offline --frozen-lockfile --prod --filter "@mri/api..."
# Compile the service once to plain JavaScript (esbuild, packages/api/serve.mjs): no TypeScript loader runs in the
# container, which keeps each inference worker ~60 MB smaller and starts faster. The bundle names its dependencies
# by their real paths under node_modules/.pnpm, so that folder (without the bundler) is all the runtime needs.
RUN node packages/api/serve.mjs --build-only \
  && rm -rf node_modules/.pnpm/esbuild@* node_modules/.pnpm/@esbuild+*

FROM node:20.20.2-bookworm-slim AS runtime
# jemalloc instead of glibc's malloc: glibc gives every thread its own arena, and the decode and upload buffers of a
# burst of large photos stayed resident long after it (packages/api README, Memory under a burst). The path is
# linked to one name so LD_PRELOAD does not depend on the architecture.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libjemalloc2 \
  && rm -rf /var/lib/apt/lists/* \
  && ln -s "$(find /usr/lib -name libjemalloc.so.2 | head -n 1)" /usr/local/lib/libjemalloc.so.2
# `container` (as Podman sets it) keeps logs JSON even with a terminal attached; on Cloud Run they get its fields.
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 \
    container=docker \
    NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    PROBE_PORT=8081 \
    BACKEND=wasm \
    MODEL=production \
    REGISTRY=/app/registry \
    PREDICTION_LOG=/app/logs/predictions
WORKDIR /app
# Code stays root-owned and read-only to the service; only its log and registry folders are writable.
COPY --from=build /app/node_modules/.pnpm /app/node_modules/.pnpm
COPY --from=build /app/packages/api/dist /app/packages/api/dist
# The model the repository ships: an empty registry is seeded with it (SEED_MODEL), so a first deploy serves the
# real classifier. The image's own registry folder is writable for that; a mounted one decides for itself.
COPY reports/model ./reports/model
RUN mkdir -p /app/logs /app/registry && chown node:node /app/logs /app/registry
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PROBE_PORT || process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself, so in-flight requests drain before exit. The V8 flags are
# `pnpm serve`'s own (packages/api README, Memory: ~45 MB lower peak RSS under load).
CMD ["node", "--max-semi-space-size=1", "--optimize-for-size", "packages/api/dist/main.mjs"]
