# Multi-stage build: compile and run the unit tests in a full Debian 12
# image, then copy only the binary into a slim runtime image that runs as
# a non-root user.  Both stages take their package lists from
# docker/install-deps.sh, the same list `make install-deps` uses.

FROM debian:12 AS build
WORKDIR /src
COPY docker/install-deps.sh docker/install-deps.sh
RUN docker/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSR_WERROR=ON \
 && cmake --build /build -j "$(nproc)" \
 && cd /build && ctest -L unit --output-on-failure

FROM debian:12-slim AS runtime
COPY docker/install-deps.sh /tmp/install-deps.sh
RUN /tmp/install-deps.sh runtime && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin signalroom
COPY --from=build /build/signalroom /usr/local/bin/signalroom
USER signalroom
ENV SIGNALROOM_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
# serve applies pending migrations itself (SIGNALROOM_AUTO_MIGRATE=true).
ENTRYPOINT ["/usr/local/bin/signalroom"]
CMD ["serve"]
