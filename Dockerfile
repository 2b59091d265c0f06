# The e2e node image: the kts executable and Docker Engine on a Debian base made locally
# (scripts/e2e/base-image.sh; there is no registry to pull from). Built by scripts/e2e-cluster:
#   scripts/e2e/base-image.sh && bun run build && DOCKER_BUILDKIT=0 docker build -t kts.e2e/node:dev .
# Run with the Docker-in-Docker flags of ../shared/ENVIRONMENT.md (not --privileged).
ARG BASE=kts.e2e/base:bookworm-1
FROM ${BASE}
COPY dist/kts /usr/local/bin/kts
COPY scripts/e2e/node-entrypoint.sh /usr/local/bin/kts-node
ENTRYPOINT ["/usr/local/bin/kts-node"]
