# The fake WeChat as a CI service: a static payfeedback binary in an empty
# image, running as a non-root user. Build it with
#
#   docker build -t payfeedback .
#   docker run --rm -p 127.0.0.1:8080:8080 payfeedback
#
# Inside a container the fake must listen on 0.0.0.0 (the default CMD
# below): on 127.0.0.1 it would be unreachable from outside the container.
# Its admin API still refuses web pages (Host, Origin and Content-Type
# checks): a published port reached as 127.0.0.1 or localhost, or any IP
# literal, passes; a host name (a compose or Actions service name) must be
# allowed with --allow-host NAME. See mockwechat/README.md, "In a container".
#
# Dockerfile.local is this image's final stage built from a binary built
# outside (for machines that cannot pull the Go image).

ARG GO_VERSION=1.26

# Fully qualified: Debian's podman, with no unqualified-search registries,
# refuses the short name golang:1.26.
FROM docker.io/library/golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/payfeedback ./cmd/payfeedback \
 && mkdir -p /out/etc/ssl/certs /out/state \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/

FROM scratch
COPY --from=build /out/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build --chown=65532:65532 /out/state /state
COPY --from=build /out/payfeedback /payfeedback
# 65532 is distroless's "nonroot"; a scratch image has no /etc/passwd to name it.
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 \
  CMD ["/payfeedback", "health", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["/payfeedback", "mock"]
CMD ["--addr", "0.0.0.0:8080", "--log", "info"]
