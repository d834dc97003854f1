# rdsconsole image for docker-compose: web, worker and beat share it.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV RDS_VAR_DIR=/var/lib/rdsconsole
# collected with throwaway keys (RDS_DEV makes them in var/), removed so that no key is baked into the image
RUN RDS_DEV=1 python manage.py collectstatic --noinput -v 0 && rm -f "$RDS_VAR_DIR/secret_key" "$RDS_VAR_DIR/fernet.key"
