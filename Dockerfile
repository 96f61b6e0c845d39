# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY surveys surveys
COPY storage storage
COPY exports exports
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 nastavnik
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER nastavnik
WORKDIR /home/nastavnik
ENV DATABASE_URL=sqlite+aiosqlite:////home/nastavnik/data/nastavnik.db
RUN mkdir -p /home/nastavnik/data
VOLUME ["/home/nastavnik/data"]
# `run` applies the migrations before it starts polling.
CMD ["nastavnik", "run"]
