# syntax=docker/dockerfile:1
# The trainer (packages/trainer) with the data CLI, for `pnpm train` and sweep trials on Vertex AI, Cloud Run Jobs
# or any container runtime. Trains on tfjs' wasm backend with our kernels, the engine the tests run. Runs the
# embedded sample by default; `pnpm data pull` fetches the full dataset from a DVC remote first (the committed
# .dvc/config names none: add the job's own with `pnpm data remote add ... --local`).
#
#   docker build -f dockerfiles/trainer.Dockerfile -t mri-trainer .
#   docker run --rm mri-trainer                                   # trains on the embedded sample
#   docker run --rm -v "$HOME/.config/gcloud:/home/node/.config/gcloud:ro" mri-trainer \
#     sh -c 'pnpm data remote add gcs gs://BUCKET/dvcstore --default --local && pnpm data pull \
#       && pnpm train data.root=data/brain-mri'

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
RUN pnpm install --offline --frozen-lockfile --prod --filter "@mri/trainer..." --filter "@mri/data-cli..." \
  && rm -rf packages/api packages/web
# The root scripts run `node --import tsx ...`, which resolves tsx from /app/node_modules; a --prod install of the
# workspace does not put the root's tsx there, so link the model package's (same pinned version).
RUN ln -s ../packages/model/node_modules/tsx node_modules/tsx

FROM node:20.20.2-bookworm-slim AS runtime
# `container` (as Podman sets it) keeps logs JSON even with a terminal attached; on Cloud Run they get its fields.
ENV NODE_ENV=production \
    container=docker
WORKDIR /app
COPY --from=build /usr/local/lib/node_modules/pnpm /usr/local/lib/node_modules/pnpm
RUN ln -s ../lib/node_modules/pnpm/bin/pnpm.cjs /usr/local/bin/pnpm
COPY --from=build /app /app
COPY configs ./configs
COPY sample ./sample
# The shipped model: an empty registry starts from it (ensureSeeded), so production is the real classifier.
COPY reports/model ./reports/model
COPY .dvc/config ./.dvc/config
COPY data.dvc ./data.dvc
# What a run writes: outputs, the local registry, the pulled dataset, DVC's listing cache, and the processed-image
# and near-copy caches (.cache).
RUN mkdir -p outputs registry data .dvc/cache .cache \
  && chown node:node outputs registry data .dvc .dvc/cache .cache
USER node
CMD ["pnpm", "train"]
