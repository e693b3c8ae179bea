# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY adapters ./adapters
RUN npm ci --no-audit --no-fund

# Runtime stage: production dependencies and the compiled code only, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
USER node
EXPOSE 8080
# Inside a container the API must listen on all interfaces: set http.host to 0.0.0.0 in the
# mounted config (or HTTP_HOST where the config reads it) and point REDIS_URL at your Redis.
ENTRYPOINT ["node", "bin/avhub.js"]
CMD ["start", "--config", "/app/config/hub.yaml"]
