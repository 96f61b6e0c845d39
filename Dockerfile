# syntax=docker/dockerfile:1
# Build: wheels of the app and its dependencies, compilers stay in this stage.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY app app
COPY bot bot
COPY imports imports
COPY service service
COPY surveys surveys
COPY storage storage
COPY exports exports
# The exact versions CI tested (constraints.txt), not whatever is newest today.
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

# Run: only the installed wheels, as an unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 nastavnik
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 10001
WORKDIR /home/nastavnik
RUN mkdir -p /home/nastavnik/data /home/nastavnik/exports
ENV DATABASE_URL=sqlite+aiosqlite:////home/nastavnik/data/nastavnik.db \
    EXPORT_DIR=/home/nastavnik/exports \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    LOG_FORMAT=json
VOLUME ["/home/nastavnik/data", "/home/nastavnik/exports"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
# Both commands apply the migrations first (under a lock on PostgreSQL), then serve; both
# answer /healthz on WEB_PORT. Webhook mode for production; `nastavnik run` (long polling)
# for a single small install.
CMD ["nastavnik", "webhook"]
