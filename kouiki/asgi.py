"""ASGI entry point, for whoever must run an ASGI server. `make run` and the operations guide serve
the WSGI application with gunicorn (kouiki/wsgi.py; docs/decisions/0019-wsgi-server.md)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kouiki.settings")
application = get_asgi_application()
