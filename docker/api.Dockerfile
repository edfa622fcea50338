# syntax=docker/dockerfile:1
#
# Visiona API image: Fastify on Node 22, run straight from its TypeScript source.
# Build from the repository root (the compose file does this):
#   docker build -f docker/api.Dockerfile -t visiona-api .
#
# There is no compile step: Node >= 22.18 strips TypeScript types natively, so the
# image runs `node apps/api/src/server.ts` exactly as development does. What the
# image must get right instead is the pnpm workspace layout: @visiona/shared is
# TypeScript source too and is reached through the symlink
# apps/api/node_modules/@visiona/shared -> packages/shared. Node resolves that to
# its real path outside node_modules, which is what allows it to strip the types
# (Node refuses to strip types under node_modules). That is why this image keeps
# the workspace tree instead of using `pnpm deploy`, which copies workspace
# packages into node_modules.

# Any Node 22 image from 22.18 on (type stripping on by default). Pin an exact
# version for reproducible builds, e.g. --build-arg NODE_VERSION=22.23.3.
# Build and runtime share the same Debian (glibc) base, so native addons that
# pnpm installs in the build stage (sharp's prebuilt @img/* packages, later)
# run unchanged in the runtime stage.
ARG NODE_VERSION=22
ARG PNPM_VERSION=12.4.2

# ---------------------------------------------------------------------------
# build: install the API's production dependencies with pnpm.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION
# The version in package.json's "packageManager"; npm is used rather than
# corepack so that only the npm registry is needed.
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}" \
 && npm cache clean --force
# If a dependency ever needs compiling from source (node-gyp), add here:
#   RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
#    && rm -rf /var/lib/apt/lists/*
ENV CI=true
WORKDIR /app

# Manifests first, so the dependency layer is rebuilt only when they change.
# Only the API's own workspace packages are listed: pnpm accepts a filtered,
# frozen install without the other workspace manifests.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/api/package.json apps/api/
COPY packages/shared/package.json packages/shared/
# --prod leaves out every devDependency, including the root's `node` package
# (the Node binary that pins Node 22 for `pnpm run` on developer machines;
# the image's own Node is the one that runs here).
RUN --mount=type=cache,id=visiona-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod --filter "@visiona/api..." --store-dir /pnpm/store

COPY packages/shared/ packages/shared/
COPY apps/api/ apps/api/

# ---------------------------------------------------------------------------
# runtime: Node, the installed dependencies and the API's source; no pnpm,
# no npm cache, no tests.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime

LABEL org.opencontainers.image.title="visiona-api" \
      org.opencontainers.image.description="Visiona REST API (Fastify, Node 22)"

# MALLOC_ARENA_MAX: sharp/libvips allocate from many glibc arenas; two keep an upload's
# memory flat (bench/README.md, "Upload of 20 photos of 8 MB").
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    MALLOC_ARENA_MAX=2

WORKDIR /app

# The code stays owned by root, so the process (user `node`) cannot modify it.
# Symlinks in node_modules are copied as symlinks, keeping the pnpm layout.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages/shared/package.json ./packages/shared/package.json
COPY --from=build /app/packages/shared/node_modules ./packages/shared/node_modules
COPY --from=build /app/packages/shared/src ./packages/shared/src
COPY --from=build /app/apps/api/package.json ./apps/api/package.json
COPY --from=build /app/apps/api/node_modules ./apps/api/node_modules
COPY --from=build /app/apps/api/migrations ./apps/api/migrations
COPY --from=build /app/apps/api/src ./apps/api/src

# The one writable place: DATA_DIR. With DATABASE_URL unset the API keeps its
# embedded PGlite database and generated secrets here (mount a volume on /data
# to keep them); with Postgres and SESSION_SECRET set it writes nothing here yet.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data

# The unprivileged user of the official Node images (uid 1000).
USER node

EXPOSE 3000

# The API drains in-flight requests on SIGTERM (SHUTDOWN_GRACE_MS, 10 s by
# default); give the container a stop timeout longer than that.
STOPSIGNAL SIGTERM

# Ready = the process is up, the database answers and it is not shutting down.
# Node's own fetch, so the image needs no curl or wget.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "apps/api/src/server.ts"]
