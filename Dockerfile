# Placeholder until the multi-node e2e issue: builds the single kts executable.
FROM debian:bookworm-slim
COPY dist/kts /usr/local/bin/kts
ENTRYPOINT ["/usr/local/bin/kts"]
