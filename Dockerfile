# The platform's image: the locked environment and the douai-delivery command, used by
# every service of docker-compose.yml (api, worker, beat, migrate).
FROM python:3.11-slim-bookworm
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY logistics logistics
COPY routing routing
COPY couriers couriers
COPY api api
COPY cli cli
COPY data/areas data/areas
RUN uv sync --frozen --no-dev --no-group bench
ENV PATH="/app/.venv/bin:$PATH" PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 1000 douai && mkdir -p /app/data/osm && chown -R douai /app/data
USER douai
EXPOSE 8000
ENTRYPOINT ["douai-delivery"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
