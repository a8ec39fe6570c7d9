# The planner's image: the locked environment and the douai-delivery command.
FROM python:3.11-slim-bookworm
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY logistics logistics
COPY routing routing
COPY couriers couriers
COPY api api
RUN uv sync --frozen --no-dev --no-group bench
ENV PATH="/app/.venv/bin:$PATH"
ENTRYPOINT ["douai-delivery"]
CMD ["demo", "--out", "/app/out/demo"]
