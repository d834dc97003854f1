# rdsconsole image for docker-compose: web, worker and beat share it.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV RDS_VAR_DIR=/var/lib/rdsconsole
RUN python manage.py collectstatic --noinput -v 0
