# The image of `minio-irsa webhook serve` (render webhook --image points the Deployment at it).
#   docker build -t registry.example.com/minio-irsa:0.1.0 .
# Small (Alpine, dependencies bundled: no node_modules), non-root (uid 65532, as the Deployment
# requires), no package manager or npm at run time, Node pinned to an exact release.
# NODE_IMAGE: another base laid out as the official node images are (Node under /usr/local);
# the image test builds FROM a local stand-in, as it cannot pull from Docker Hub.
ARG NODE_IMAGE=node:20.20.2-alpine
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsup.config.ts tsup.image.config.ts ./
COPY src ./src
COPY templates ./templates
# Every dependency bundled into dist/: no node_modules in the image.
RUN npx tsup --config tsup.image.config.ts

FROM ${NODE_IMAGE}
# npm, yarn and corepack are not needed to run: fewer files, fewer CVEs to track.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/yarn* /usr/local/bin/corepack /opt/yarn*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY templates ./templates
USER 65532:65532
ENV NODE_ENV=production NO_COLOR=1
EXPOSE 8443 9090
ENTRYPOINT ["node", "/app/bin/minio-irsa.js"]
CMD ["webhook", "serve"]
