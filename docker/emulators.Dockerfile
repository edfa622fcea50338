# syntax=docker/dockerfile:1
#
# Visiona emulators image: the offline stand-ins for Supabase Storage and Replicate
# (apps/emulators), run on Node 22 straight from their TypeScript source. One image,
# either emulator, chosen by the command (the compose file's `emulators` profile
# runs one container of each). Build from the repository root:
#   docker build -f docker/emulators.Dockerfile -t visiona-emulators .
#   docker run --rm -p 127.0.0.1:54329:54329 -v visiona-storage:/data visiona-emulators \
#     node apps/emulators/src/storage/cli.ts
#   docker run --rm -p 127.0.0.1:8788:8788 -e REPLICATE_API_TOKEN=r8_dev visiona-emulators \
#     node apps/emulators/src/replicate/cli.ts
#
# Built like docker/api.Dockerfile: a filtered `pnpm install --prod` in a build stage,
# keeping the workspace layout (not `pnpm deploy`), and only Node, node_modules and
# the source in the runtime stage. @visiona/emulators has no workspace dependencies,
# so nothing else of the repository goes in.

# Any Node 22 image from 22.18 on (type stripping on by default). Pin an exact
# version for reproducible builds, e.g. --build-arg NODE_VERSION=22.23.3.
# Build and runtime share the same Debian (glibc) base, so sharp's prebuilt
# @img/sharp-linux-* packages installed in the build stage run in the runtime stage.
ARG NODE_VERSION=22
ARG PNPM_VERSION=12.4.2

# ---------------------------------------------------------------------------
# build: install the emulators' production dependencies (fastify, sharp, yauzl).
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION
# The version in package.json's "packageManager"; npm is used rather than
# corepack so that only the npm registry is needed.
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}" \
 && npm cache clean --force
ENV CI=true
WORKDIR /app

# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/emulators/package.json apps/emulators/
# --prod leaves out the devDependencies (the SDKs and Ajv its tests use, and the
# root's `node` package).
RUN --mount=type=cache,id=visiona-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prod --filter "@visiona/emulators..." --store-dir /pnpm/store

COPY apps/emulators/src/ apps/emulators/src/

# ---------------------------------------------------------------------------
# runtime: Node, the installed dependencies and the emulators' source.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime

LABEL org.opencontainers.image.title="visiona-emulators" \
      org.opencontainers.image.description="Offline Supabase Storage and Replicate emulators for Visiona (not for production data)"

# The Replicate emulator labels every image it "generates" with SIMULATED, drawn
# from SVG text by sharp's librsvg, which finds fonts through fontconfig. The slim
# image has neither a fontconfig configuration nor a font: without these, the label
# would be missing (and fontconfig would print errors).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fontconfig-config fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# Listen on every interface (other containers call them) on the emulators' usual
# ports; the Storage emulator keeps its buckets and objects in /data (a volume).
ENV NODE_ENV=production \
    STORAGE_EMULATOR_HOST=0.0.0.0 \
    STORAGE_EMULATOR_PORT=54329 \
    STORAGE_EMULATOR_DATA_DIR=/data \
    REPLICATE_EMULATOR_HOST=0.0.0.0 \
    REPLICATE_EMULATOR_PORT=8788

WORKDIR /app

# The code stays owned by root, so the process (user `node`) cannot modify it.
# Symlinks in node_modules are copied as symlinks, keeping the pnpm layout.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/apps/emulators/package.json ./apps/emulators/package.json
COPY --from=build /app/apps/emulators/node_modules ./apps/emulators/node_modules
COPY --from=build /app/apps/emulators/src ./apps/emulators/src
COPY docker/emulators-healthcheck.mjs ./docker/emulators-healthcheck.mjs

# The one writable place: the Storage emulator's data. A named volume mounted here
# starts as a copy of this folder, so it is owned by `node` too.
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data

# The unprivileged user of the official Node images (uid 1000).
USER node

# Storage emulator (/storage/v1), Replicate emulator (/v1, /files, /_emulator), LLM emulator (/v1),
# Stripe emulator (/v1, hosted /c/pay and /p/session pages).
EXPOSE 54329 8788 8789 8790

# Both CLIs close their server and exit on SIGTERM.
STOPSIGNAL SIGTERM

# Healthy when the emulator this container runs answers (either one; the compose
# file names the one it expects).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "docker/emulators-healthcheck.mjs"]

# The Storage emulator by default; run the Replicate one with
#   node apps/emulators/src/replicate/cli.ts   (REPLICATE_API_TOKEN is required)
CMD ["node", "apps/emulators/src/storage/cli.ts"]
