"""WSGI entry point (gunicorn rdsconsole.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdsconsole.settings")
application = get_wsgi_application()
