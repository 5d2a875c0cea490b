"""ASGI entry point (uvicorn in `make run`, any ASGI server in production)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kouiki.settings")
application = get_asgi_application()
