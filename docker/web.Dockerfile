# syntax=docker/dockerfile:1
#
# Visiona web image: the Vite/React SPA built with pnpm, served by nginx, which
# also reverse-proxies /api/, /livez and /readyz to the API service (see
# docker/nginx.conf). Build from the repository root (the compose file does this):
#   docker build -f docker/web.Dockerfile -t visiona-web .

ARG NODE_VERSION=22
ARG PNPM_VERSION=12.4.2
# nginx's official unprivileged image: runs as uid 101 and listens on 8080.
# 1.28 is nginx's stable branch (1.27, the former mainline, no longer gets fixes).
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.28-alpine

# ---------------------------------------------------------------------------
# build: install the SPA's dependencies (dev ones included: Vite) and build it.
# ---------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG PNPM_VERSION
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}" \
 && npm cache clean --force
ENV CI=true
WORKDIR /app

COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/web/package.json apps/web/
COPY packages/shared/package.json packages/shared/
# pnpm also installs the workspace root's devDependencies in a filtered install.
# Among them is the `node` package (it pins Node 22 for `pnpm run` on developer
# machines), which fetches a Node binary from the npm registry. It is redundant
# in a Node 22 image but harmless, and it stays in this stage only.
RUN --mount=type=cache,id=visiona-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --filter "@visiona/web..." --store-dir /pnpm/store

COPY tsconfig.base.json ./
COPY packages/shared/ packages/shared/
COPY apps/web/ apps/web/
RUN pnpm --filter @visiona/web build

# ---------------------------------------------------------------------------
# runtime: nginx with the built files; nothing from Node.
# ---------------------------------------------------------------------------
FROM ${NGINX_IMAGE} AS runtime

LABEL org.opencontainers.image.title="visiona-web" \
      org.opencontainers.image.description="Visiona SPA served by nginx, reverse proxy to the API"

# Our nginx.conf replaces the image's, and its default server (conf.d/default.conf)
# goes; the image's entrypoint scripts then find nothing to change.
USER root
RUN rm -f /etc/nginx/conf.d/default.conf \
 && rm -rf /usr/share/nginx/html/*
COPY docker/nginx.conf /etc/nginx/nginx.conf
COPY docker/nginx-security-headers.conf /etc/nginx/snippets/security-headers.conf
# The site stays owned by root: nginx (uid 101) only reads it.
COPY --from=build /app/apps/web/dist/ /usr/share/nginx/html/
# Fail the build on a broken config. Run as root, `nginx -t` creates the temp
# folders under /tmp owned by `nobody`: remove them so that nginx (uid 101)
# creates its own at start.
RUN nginx -t && rm -rf /tmp/*_temp /tmp/nginx.pid
USER 101

EXPOSE 8080
# nginx finishes open requests on SIGQUIT (graceful), and drops them on SIGTERM.
STOPSIGNAL SIGQUIT

HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["wget", "-q", "--spider", "http://127.0.0.1:8080/healthz"]

CMD ["nginx", "-g", "daemon off;"]
