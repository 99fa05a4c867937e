# StalkerLog as a container image: Debian with Pango (for WeasyPrint), the pinned dependencies
# from requirements.txt, a non-root user, and no compilers or pip left in. See docs/container.md.
#
#   docker build -t stalkerlog .                                   # from debian:bookworm-slim
#   docker build --build-arg BASE_IMAGE=my-bookworm -t stalkerlog .  # from a local Debian base
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
ENV DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates gettext \
    && rm -rf /var/lib/apt/lists/*
# The translations are compiled here (GNU gettext's msgfmt); only the .mo files reach the image.
COPY locale/ /tmp/locale/
RUN set -eu; for po in /tmp/locale/*/LC_MESSAGES/*.po; do \
      msgfmt --check-format -o "${po%.po}.mo" "$po"; done
# Only for networks whose HTTPS goes through an inspecting proxy: a CA bundle put in
# deploy/build-ca/ (ignored by git) is trusted by pip in this stage; it never reaches the image.
COPY deploy/build-ca/ /tmp/build-ca/
COPY requirements.txt /tmp/requirements.txt
# Every dependency is a pinned wheel: nothing is compiled, so no build tools are needed.
RUN set -eu; \
    cert=""; for f in /tmp/build-ca/*.crt; do if [ -f "$f" ]; then cert="--cert=$f"; fi; done; \
    python3 -m venv /opt/venv; \
    /opt/venv/bin/pip install --quiet --only-binary=:all: $cert -r /tmp/requirements.txt; \
    /opt/venv/bin/pip uninstall --quiet --yes pip setuptools || true; \
    find /opt/venv -name __pycache__ -prune -exec rm -rf {} +

FROM ${BASE_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        python3 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin stalkerlog \
    && mkdir -p /data && chown stalkerlog:stalkerlog /data && chmod 700 /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY manage.py ./
COPY stalkerlog ./stalkerlog
COPY incidents ./incidents
COPY templates ./templates
COPY --from=build /tmp/locale ./locale
COPY static ./static
COPY deploy/entrypoint.sh /usr/local/bin/stalkerlog-entrypoint
ENV PATH=/opt/venv/bin:/app:$PATH \
    DATA_DIR=/data \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8000 \
    SETUP_CODE_COMMAND="docker compose exec web manage.py setup_code"
# Static files are collected into the image (a throwaway data folder: no key is kept).
RUN DATA_DIR=/tmp/collect python3 manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/collect \
    && python3 -m compileall -q /app/incidents /app/stalkerlog
USER stalkerlog
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4).status != 200)"]
ENTRYPOINT ["stalkerlog-entrypoint"]
CMD ["web"]
