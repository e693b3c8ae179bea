# One pinned Node release for both stages (the version the tests run on); change it here only.
# Node 20 reached end of life in April 2026: moving to 22 is one line, once the suite passes on it.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Build stage: compile TypeScript with the dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY adapters ./adapters
RUN npm ci --no-audit --no-fund

# Runtime stage: production dependencies and the compiled code only, as a non-root user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# ./data (an embedded Redis's files, when no Redis is reachable) must be writable by the node user.
RUN mkdir -p /app/data && chown node:node /app/data
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# /healthz answers while the process is alive; the image has no curl, Node's fetch does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Inside a container the API must listen on all interfaces: set http.host to 0.0.0.0 in the
# mounted config (or HTTP_HOST where the config reads it) and point REDIS_URL at your Redis.
ENTRYPOINT ["node", "bin/avhub.js"]
CMD ["start", "--config", "/app/config/hub.yaml"]
