# The LRS with its MongoDB adapter, served by gunicorn (`lrs serve`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LRS_DATA_DIR=/var/lib/lrs

WORKDIR /app
# Dependencies first, so code changes do not re-install them.
COPY pyproject.toml README.md ./
COPY lrs ./lrs
# The cadre-training profile and the credit policies are installed as data under share/lrs.
COPY profiles ./profiles
RUN pip install '.[mongo]' \
    && useradd --system --uid 10001 --home-dir /var/lib/lrs --create-home lrs

USER lrs
EXPOSE 8080
# Bind all interfaces inside the container; gunicorn stops gracefully on SIGTERM.
CMD ["lrs", "serve", "--host", "0.0.0.0", "--port", "8080"]
