"""Writing notices through the service, as the back office does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kouiki.identity.models import User
from kouiki.notices import services
from kouiki.notices.models import Notice

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def hour_ago() -> datetime:
    return timezone.now() - timedelta(hours=1)


def write(staff: User, **kwargs: Any) -> Notice:
    values: dict[str, Any] = {
        "system": "capacity",
        "category": "general",
        "title": "容量オークションの日程について",
        "body": "本文です。\n詳しくは https://www.occto.or.jp/ をご覧ください。",
        "publish_from": hour_ago(),
        **kwargs,
    }
    return services.create_notice(actor=staff, **values)
