# Minga container image.
#   docker build -t minga .
#   docker run -p 8080:8080 -e MINGA_DATABASE_URL=postgres://... minga
# Without MINGA_DATABASE_URL it uses SQLite at /var/lib/minga/data/minga.db:
# mount a volume on /var/lib/minga to keep it.

# --- Build -------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src

# The whole workspace: the web assets and migrations are embedded in the binary,
# and Cargo needs every member's manifest (tests/) to resolve the workspace.
COPY Cargo.toml Cargo.lock ./
COPY server/ server/
COPY tests/ tests/
COPY web/ web/
COPY migrations/ migrations/

RUN cargo build --release --locked -p minga \
    && install -m 0755 target/release/minga /usr/local/bin/minga

# --- Run ---------------------------------------------------------------------
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 minga \
    && useradd --system --uid 10001 --gid minga --home-dir /var/lib/minga \
        --shell /usr/sbin/nologin minga \
    && mkdir -p /var/lib/minga \
    && chown minga:minga /var/lib/minga

COPY --from=builder /usr/local/bin/minga /usr/local/bin/minga

WORKDIR /var/lib/minga
ENV MINGA_BIND=0.0.0.0:8080
EXPOSE 8080

# `minga healthcheck` exits 0 when GET /readyz on MINGA_BIND (0.0.0.0 read as
# 127.0.0.1) answers 200.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["minga", "healthcheck"]

USER minga
ENTRYPOINT ["minga"]
CMD ["serve"]
