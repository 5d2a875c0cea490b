"""Demo notices (README, Demo accounts): a few notices of the capacity and switching systems for
every participant. Idempotent, registered with kouiki.core.demo."""

from __future__ import annotations

from datetime import datetime

from kouiki.core.calendar import JST
from kouiki.core.systems import System
from kouiki.notices.models import Audience, Category, Notice

DEMO_NOTICES = (
    (
        System.CAPACITY,
        Category.IMPORTANT,
        "容量市場システムの提供時間について",
        "容量市場システムは、本機関の営業日（土曜日・日曜日・国民の祝日・年末年始（12月29日〜1月3日）"
        "および本機関の休業日を除く日）の9:00〜18:00に提供しています。\n"
        "提供時間外は画面・APIともにご利用いただけません。",
        datetime(2025, 4, 1, 9, 0, tzinfo=JST),
    ),
    (
        System.CAPACITY,
        Category.GENERAL,
        "電源等情報の登録申請の受付について",
        "電源等情報の登録申請は「電源等情報管理」から行ってください。\n"
        "審査の状況は「電源等情報審査管理」で確認できます。",
        datetime(2025, 4, 2, 10, 0, tzinfo=JST),
    ),
    (
        System.SWITCHING,
        Category.MAINTENANCE,
        "スイッチング支援システムの定期メンテナンスについて",
        "毎月第2日曜日の2:00〜6:00は定期メンテナンスのため、一部の機能がご利用いただけない場合があります。",
        datetime(2025, 4, 1, 9, 0, tzinfo=JST),
    ),
)


def load() -> int:
    created = 0
    for system, category, title, body, publish_from in DEMO_NOTICES:
        _notice, new = Notice.objects.get_or_create(
            system=system,
            title=title,
            defaults={
                "category": category,
                "body": body,
                "publish_from": publish_from,
                "audience": Audience.ALL,
                "created_at": publish_from,
                "updated_at": publish_from,
            },
        )
        created += int(new)
    return created
