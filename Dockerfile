# Debian 12 (bookworm) named, not implied: its postgresql-client-15 matches the postgres:15 service.
FROM python:3.11-slim-bookworm
# postgresql-client-15 (pg_dump, pg_restore) for `manage.py backup|restore`: the same major version as the
# postgres service in docker-compose.yml (a pg_dump older than its server refuses to dump it).
# fonts-dejavu-core: the stamp and the pack's front are drawn in DejaVu Sans without a layout engine.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
        postgresql-client-15 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/app
COPY pyproject.toml constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt -e .
COPY . .
RUN useradd --create-home app && mkdir -p /srv/var && chown app /srv/var
USER app
EXPOSE 8000
