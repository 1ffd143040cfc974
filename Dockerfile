# medlint's own container image, for GitLab CI and any runner that takes an image:
#   docker build -t medlint:0.1.0 --build-arg BUILD_ID="$CI_PIPELINE_ID" --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --rm -v "$PWD:/src:ro" -w /src medlint:0.1.0 check .
#
# Base image: python:3.12-slim pinned by the digest of its multi-arch index. The digest was taken from public
# repositories that pin python:3.12-slim (it could not be pulled where this file was written); the image build
# in CI verifies it, since a digest that does not exist fails `docker build`. To update:
#   docker buildx imagetools inspect python:3.12-slim   (the "Digest:" line)

ARG PYTHON_IMAGE=python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea

# --- build: a virtual environment with pinned dependencies and medlint itself --------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /build
COPY docker/requirements.txt ./requirements.txt
RUN python -m venv /opt/medlint \
    && /opt/medlint/bin/pip install --no-deps -r requirements.txt
COPY pyproject.toml README.md ./
COPY medlint ./medlint
COPY rules ./rules
COPY schemas ./schemas
COPY fixtures ./fixtures
# medlint itself; its build backend (hatchling) is fetched into pip's isolated build environment only.
RUN /opt/medlint/bin/pip install --no-deps .

# --- runtime: the interpreter, the virtual environment, a non-root user -----------------------------------
FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
ARG BUILD_ID=unset
ARG REVISION=unset
ARG CREATED=unset
LABEL org.opencontainers.image.title="medlint" \
      org.opencontainers.image.description="IEC 62304 / FDA compliance linter for Dockerfiles, Compose, Kubernetes and Helm" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/medlint/medlint" \
      org.opencontainers.image.vendor="medlint developers" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/python:3.12-slim" \
      org.opencontainers.image.base.digest="sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea" \
      regulatory.iec62304.class="C" \
      regulatory.fda.class="II" \
      regulatory.build="${BUILD_ID}"
COPY --from=build /opt/medlint /opt/medlint
ENV PATH=/opt/medlint/bin:$PATH PYTHONDONTWRITEBYTECODE=1 NO_COLOR=1
# A numeric user and group: the kubelet can verify runAsNonRoot only for numeric UIDs.
USER 10001:10001
WORKDIR /src
# medlint: ignore MD401 reason="a one-shot command-line tool, not a service: nothing to probe"
HEALTHCHECK NONE
ENTRYPOINT ["medlint"]
CMD ["--help"]
