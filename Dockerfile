# The bot as one container: `docker build -t leadbot .`, then see README.md > Deploying.
# No secret is baked in: the token and keys come from the environment (an env file) at run time.

FROM python:3.12-slim AS build
WORKDIR /src
# What the wheel is built from (the packaging test's list; schema*.sql: one file per engine).
COPY pyproject.toml README.md schema*.sql ./
COPY bot bot
COPY handlers handlers
COPY storage storage
COPY integrations integrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/bot.sqlite3 \
    METRICS_PORT=9108 \
    METRICS_HOST=0.0.0.0 \
    WEBHOOK_LISTEN=0.0.0.0:8443 \
    LOG_FORMAT=json
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --user-group --home-dir /app --create-home leadbot \
    && mkdir /data \
    && chown leadbot:leadbot /data
USER leadbot
WORKDIR /app
# The SQLite file lives here; mount a volume so it outlives the container.
VOLUME ["/data"]
# 8443: the webhook server (with TELEGRAM_WEBHOOK_URL); 9108: /metrics, /healthz, /readyz.
EXPOSE 8443 9108
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('METRICS_PORT', '9108') + '/healthz', timeout=4)"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
