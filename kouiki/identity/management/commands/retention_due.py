"""List what a terminated participant's retention has run out for (X-L1): `manage.py retention_due`.

It deletes nothing. A terminated participant's data is kept for the periods of KOUIKI_RETENTION_*
counted from the end of its contract (ADR 34); once one has passed, disposing of that kind of data
is the organization's decision under its 情報管理規程, taken and recorded by an operator — other
participants' records (the other retailer of a cancel-forward, the audit log's other rows) share
those rows and must not go with it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from kouiki.core.systems import site
from kouiki.identity.choices import UseState
from kouiki.identity.selectors import system_uses
from kouiki.identity.services.system_use import retention


class Command(BaseCommand):
    help = (
        "利用契約が終了した事業者のうち、保存期間が経過したデータの種類を一覧表示します（削除はしません）。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="保存期間内のものも表示します。")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        shown = 0
        for use in system_uses(state=UseState.TERMINATED):
            for kept in retention(use.terminated_at or use.since, use.system):
                due = kept.until < today
                if due or options["all"]:
                    shown += 1
                    mark = "保存期間経過" if due else "保存中"
                    self.stdout.write(
                        f"{use.organization.code} {use.organization.name}\t{site(use.system).name}\t"
                        f"{kept.label}\t{kept.until:%Y-%m-%d}まで\t{mark}"
                    )
        if not shown:
            self.stdout.write("保存期間が経過したデータはありません。")
