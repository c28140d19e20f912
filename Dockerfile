# Production image of the P3DN Portal: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system p3dn && useradd --system --gid p3dn --home /app p3dn
WORKDIR /app

# pg_dump and pg_restore of the server's major version (docker-compose.yml runs PostgreSQL 16)
# for `manage.py backup` and `restore`, from the PostgreSQL project's Debian repository.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-16 \
    && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml build-constraints.txt ./
RUN python -m pip install --upgrade "pip>=25.3" \
    && python -m pip install --build-constraint build-constraints.txt .

COPY . .
# collectstatic and message compilation need settings but no database or secret (a throwaway
# sealing key: it seals nothing).
RUN pybabel --quiet compile --domain django --directory locale \
    && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgres://build@build/build \
       BID_SEALING_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
       python manage.py collectstatic --noinput \
    && mkdir -p /var/lib/p3dn/media /run/p3dn /var/backups/p3dn \
    && chown -R p3dn:p3dn /var/lib/p3dn /run/p3dn /var/backups/p3dn

USER p3dn
EXPOSE 8000
CMD ["gunicorn", "--config", "p3dn_portal/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
