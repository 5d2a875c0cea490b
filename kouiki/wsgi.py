"""WSGI entry point: gunicorn's sync workers serve it (`manage.py serve`, docs/operations.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kouiki.settings")
application = get_wsgi_application()
