"""Settings of the floor project: the least a Django project with a database and an API needs.

The database is `DATABASE_URL` (PostgreSQL), through Django's psycopg pool as Kouiki uses it with
`KOUIKI_DB_POOL=1` (`OPTIONS["pool"]`, which needs `CONN_MAX_AGE = 0`). No middleware, no sessions,
no authentication, no templates.
"""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = "floor-benchmark-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["floor"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "floor.urls"
WSGI_APPLICATION = "floor.wsgi.application"

DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)}
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
# Prepared statements as Kouiki prepares them (KOUIKI_DB_PREPARE, kouiki/settings.py): served the same way.
if os.environ.get("KOUIKI_DB_PREPARE", "0").strip().lower() in {"1", "true", "yes", "on"}:
    DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 2}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# As Kouiki: aware datetimes, Japan time.
USE_TZ = True
TIME_ZONE = "Asia/Tokyo"
USE_I18N = False
