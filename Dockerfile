# Anxin's production image (README, "Production"): gunicorn serving anxin.wsgi, the same image
# running the task workers, the evidence sequencer, the deadlines and the migrations
# (compose.yaml). Built in two stages: the first installs Anxin and its pinned dependencies
# (no development extras) into a virtualenv, compiles the messages and collects the static
# files (hashed names, gzip and Brotli); the second is that virtualenv and those files on a
# slim Python, run as an unprivileged user. No key, secret or data is in the image: keys are
# a volume (ANXIN_KEYS_DIR), settings come from the environment (deploy/anxin.env.example).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY anxin ./anxin
RUN python -m venv /venv \
 && /venv/bin/pip install -c constraints.txt .
# The .mo catalogues beside the .po ones in the installed package: compiled from outside /src,
# so that `anxin` is the virtualenv's copy and not the source folder's. Then the static files
# under hashed names, compressed, into a folder of their own; the throwaway key and data
# folder are the build's only.
WORKDIR /
RUN /venv/bin/python -m anxin.i18n \
 && ANXIN_DATA_DIR=/tmp/build-data ANXIN_SECRET_KEY=build-only ANXIN_STATIC_ROOT=/static \
    /venv/bin/anxin collectstatic --noinput -v0 \
 && rm -rf /tmp/build-data

FROM python:3.11-slim
# A CJK font for the share posters (ANXIN_POSTER_FONT: the first one found).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin anxin \
 && mkdir -p /app /data \
 && chown anxin:anxin /data
COPY --from=build /venv /venv
COPY --from=build /static /app/static
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ANXIN_DATA_DIR=/data \
    ANXIN_STATIC_ROOT=/app/static \
    ANXIN_KEYS_DIR=/keys \
    ANXIN_BIND=0.0.0.0:8000
WORKDIR /app
USER anxin
VOLUME ["/data"]
EXPOSE 8000
CMD ["anxin", "serve"]
