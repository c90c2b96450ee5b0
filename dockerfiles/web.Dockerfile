# syntax=docker/dockerfile:1
# The upload page (packages/web): the Vite production build, served with /config.json naming the API at run time.
#
#   docker build -f dockerfiles/web.Dockerfile -t mri-web .
#   docker run --rm -p 8080:8080 -e API_URL=http://localhost:8000 mri-web

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

# The page is static files; the server is bundled into one plain-JavaScript file (esbuild, the version the API
# builds with), so the runtime carries neither Vite nor node_modules nor a TypeScript loader.
FROM workspace AS build
RUN pnpm install --offline --frozen-lockfile --prod --filter "@mri/web..." \
  && pnpm --filter @mri/web build \
  && npx --yes "esbuild@$(node -p "require('./packages/api/package.json').dependencies.esbuild")" \
    packages/web/server/main.ts --bundle --platform=node --format=esm --target=node20 \
    --banner:js="import { createRequire as bannerCreateRequire } from 'node:module'; const require = bannerCreateRequire(import.meta.url);" \
    --outfile=packages/web/server/main.mjs

FROM node:20.20.2-bookworm-slim AS runtime
# `container` (as Podman sets it) keeps logs JSON even with a terminal attached; on Cloud Run they get its fields.
ENV NODE_ENV=production \
    container=docker \
    HOST=0.0.0.0 \
    PORT=8080 \
    API_URL=""
WORKDIR /app
# The server finds the page at ../dist from its own file.
COPY --from=build /app/packages/web/dist /app/packages/web/dist
COPY --from=build /app/packages/web/server/main.mjs /app/packages/web/server/main.mjs
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/config.json`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "packages/web/server/main.mjs"]
