# syntax=docker/dockerfile:1
# The trainer (packages/trainer) with the data CLI, for `pnpm train` on Vertex AI or any container runtime.
# Runs the embedded sample by default; `pnpm data pull` fetches the full dataset from a DVC remote first (the
# committed .dvc/config names none: add the job's own with `pnpm data remote add ... --local`).
#
#   docker build -f dockerfiles/trainer.Dockerfile -t mri-trainer .
#   docker run --rm mri-trainer                                   # trains on the embedded sample
#   docker run --rm -v "$HOME/.config/gcloud:/home/node/.config/gcloud:ro" mri-trainer \
#     sh -c 'pnpm data remote add gcs gs://BUCKET/dvcstore --default --local && pnpm data pull \
#       && pnpm train data.root=data/brain-mri'

FROM node:20.20.2-bookworm-slim AS build
ENV CI=true
RUN npm install --global --no-fund --no-audit pnpm@10.34.9 tsx@4.23.15
WORKDIR /app

COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch --prod

# The root install runs `prepare` (scripts/install-hooks.mjs), which installs no hook on CI or outside git.
COPY package.json tsconfig.json tsconfig.base.json ./
COPY scripts/install-hooks.mjs ./scripts/
COPY packages ./packages
RUN pnpm install --offline --frozen-lockfile --prod --filter "@mri/trainer..." --filter "@mri/data..."

# Native training is several times faster than wasm: use tfjs-node when its libtensorflow can be fetched.
RUN cd packages/model \
  && tfjs_node="$(node -p "require('node:path').dirname(require.resolve('@tensorflow/tfjs-node/package.json'))")" \
  && (cd "$tfjs_node" && npm run install) \
  || echo "tfjs-node is not available in this image: training runs on the wasm backend"

FROM node:20.20.2-bookworm-slim AS runtime
# `container` (as Podman sets it) keeps logs JSON even with a terminal attached; on Cloud Run they get its fields.
ENV NODE_ENV=production \
    container=docker
WORKDIR /app
COPY --from=build /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/pnpm/bin/pnpm.cjs /usr/local/bin/pnpm \
  && ln -s ../lib/node_modules/tsx/dist/cli.mjs /usr/local/bin/tsx
COPY --from=build /app /app
# The root scripts run `node --import tsx ...`, which resolves tsx from /app/node_modules; a --prod install of the
# workspace does not put the root's tsx there, so link the pinned global one.
RUN mkdir -p node_modules && ln -s /usr/local/lib/node_modules/tsx node_modules/tsx
COPY configs ./configs
COPY sample ./sample
# The shipped model: an empty registry starts from it (ensureSeeded), so production is the real classifier.
COPY reports/model ./reports/model
COPY .dvc/config ./.dvc/config
COPY data.dvc ./data.dvc
# What a run writes: outputs, the local registry, the pulled dataset and DVC's listing cache.
RUN mkdir -p outputs registry data .dvc/cache && chown node:node outputs registry data .dvc .dvc/cache
USER node
CMD ["pnpm", "train"]
