# syntax=docker/dockerfile:1
# The upload page (packages/web): the Vite production build, served with /config.json naming the API at run time.
#
#   docker build -f dockerfiles/web.Dockerfile -t mri-web .
#   docker run --rm -p 8080:8080 -e API_URL=http://localhost:8000 mri-web

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
RUN pnpm install --offline --frozen-lockfile --prod --filter "@mri/web..." \
  && pnpm --filter @mri/web build

FROM node:20.20.2-bookworm-slim AS runtime
# `container` (as Podman sets it) keeps logs JSON even with a terminal attached; on Cloud Run they get its fields.
ENV NODE_ENV=production \
    container=docker \
    HOST=0.0.0.0 \
    PORT=8080 \
    API_URL=""
WORKDIR /app
COPY --from=build /usr/local/lib/node_modules/tsx /usr/local/lib/node_modules/tsx
COPY --from=build /app /app
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/config.json`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "file:///usr/local/lib/node_modules/tsx/dist/loader.mjs", "packages/web/server/main.ts"]
