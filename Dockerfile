# exai-daemon: the team server (MCP over WebSocket and Streamable HTTP, the original WebSocket
# protocol, an OpenAI-compatible gateway, health, metrics, dashboard) on one port.
#
#   docker build -t exai-daemon .
#   docker run --init -p 3000:3000 --env-file .env -v exai-data:/data exai-daemon
#
# Or `docker compose up -d` (docker-compose.yml: the daemon with Redis, Redis Commander and an optional
# PostgreSQL). apps/daemon/README.md explains the settings and running several replicas.

# --- build: install everything, compile every package, then drop the development dependencies ---
FROM node:24-slim AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
# Manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
COPY apps/daemon/package.json apps/daemon/
COPY apps/stdio/package.json apps/stdio/
COPY libs/host/package.json libs/host/
COPY libs/providers-glm/package.json libs/providers-glm/
COPY libs/providers-kimi/package.json libs/providers-kimi/
COPY libs/resilience/package.json libs/resilience/
COPY libs/router/package.json libs/router/
COPY libs/storage/package.json libs/storage/
COPY libs/tools/package.json libs/tools/
COPY tools/bench/package.json tools/bench/
COPY tools/chaos/package.json tools/chaos/
COPY tools/conformance/package.json tools/conformance/
COPY tools/fuzz/package.json tools/fuzz/
COPY tools/harness/package.json tools/harness/
COPY tools/provider-sim/package.json tools/provider-sim/
# playwright-core (the dashboard test's browser driver) downloads no browser at install.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf .nx tmp node_modules/.cache

# --- runtime: the built packages and production dependencies only, as an unprivileged user ---
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    EXAI_WS_HOST=0.0.0.0 \
    EXAI_WS_PORT=3000 \
    EXAI_DATA_DIR=/data \
    EXAI_HEALTH_FILE=/data/logs/ws_daemon.health.json \
    EXAI_ALLOWED_ROOTS=/data/files
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data/logs /data/files && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers while the process serves; /readyz (storage, providers, draining) is for load balancers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.EXAI_WS_PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: the daemon itself receives SIGTERM and drains (EXAI_SHUTDOWN_DEADLINE_MS, default 30 s);
# give `docker stop` more time than that (docker-compose.yml sets stop_grace_period).
CMD ["node", "apps/daemon/dist/main.js"]
