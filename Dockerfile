# The accessproof image for server mode (docker-compose.yml): the same CLI as in development, run by tsx (no build
# step). One image for every role; the command picks it: `start --no-worker` (API, connectors), `worker`,
# `kafka init`, `migrate`.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first (cached while only sources change). chdb ships its native engine in its package. tsx, the
# TypeScript loader, and patch-package, which applies patches/ after the install (postinstall), are devDependencies:
# --include=dev, because NODE_ENV=production alone makes npm leave devDependencies out.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --include=dev --no-audit --no-fund && npm cache clean --force

COPY core ./core
COPY api ./api
COPY ingest ./ingest
COPY schema ./schema
COPY reports ./reports
COPY dashboards ./dashboards
COPY tsconfig.json ./

RUN mkdir -p /data && chown node:node /data
USER node
ENV ACCESSPROOF_DATA_DIR=/data ACCESSPROOF_HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 8080 8081

ENTRYPOINT ["node", "core/bin.mjs"]
CMD ["start", "--no-worker"]
