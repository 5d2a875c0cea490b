"""The documents the code ships with, loaded by a data migration (and by tests after a flush).

The texts live in kouiki/terms/texts/. The three systems' terms are the organization's own texts
(seeds 000, 001, 002; only headings are marked for the page). For the member system's articles (定款)
and the electronic-notice consent (定款第25条) we do not hold the official text, so ours names the
document, says where the official text is published and, for the consent, what is consented to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kouiki.core.systems import System
from kouiki.terms.choices import DocumentKind

TEXTS = Path(__file__).resolve().parent.parent / "texts"
JST = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class ShippedDocument:
    system: str
    kind: str
    version: str
    title: str
    file: str
    effective_date: dt.date

    def body(self) -> str:
        return (TEXTS / self.file).read_text(encoding="utf-8")

    @property
    def published_at(self) -> dt.datetime:
        return dt.datetime.combine(self.effective_date, dt.time.min, tzinfo=JST)


SHIPPED: tuple[ShippedDocument, ...] = (
    ShippedDocument(
        system=System.MEMBER,
        kind=DocumentKind.ARTICLES,
        version="Ver. 1.0",
        title="電力広域的運営推進機関 定款",
        file="member_articles_v1.0.md",
        # The day the member system started (seed 000, 改版履歴 1.0版).
        effective_date=dt.date(2020, 4, 1),
    ),
    ShippedDocument(
        system=System.MEMBER,
        kind=DocumentKind.SYSTEM_TERMS,
        version="Ver. 1.1",
        title="会員情報管理システム利用規約",
        file="member_system_terms_v1.1.md",
        # Seed 000, 改版履歴: 1.1版 2021/4/23.
        effective_date=dt.date(2021, 4, 23),
    ),
    ShippedDocument(
        system=System.MEMBER,
        kind=DocumentKind.ELECTRONIC_NOTICE,
        version="Ver. 1.0",
        title="総会招集通知の電磁的方法利用許諾（定款第25条）",
        file="member_electronic_notice_v1.0.md",
        effective_date=dt.date(2020, 4, 1),
    ),
    ShippedDocument(
        system=System.SWITCHING,
        kind=DocumentKind.SYSTEM_TERMS,
        version="Ver. 3.2",
        title="スイッチング支援システム利用規約",
        file="switching_system_terms_v3.2.md",
        # Seed 001, 改版履歴: 3.2版 2024/1/20.
        effective_date=dt.date(2024, 1, 20),
    ),
    ShippedDocument(
        system=System.CAPACITY,
        kind=DocumentKind.SYSTEM_TERMS,
        version="Ver. 1.0",
        title="容量市場システム利用規約",
        file="capacity_system_terms_v1.0.md",
        # Seed 002, 改版履歴: 1.0版 2020/2/5 (the cover memo before the terms is not part of them).
        effective_date=dt.date(2020, 2, 5),
    ),
)


def load_shipped(document_model: Any, versions: Iterable[tuple[str, str, str]] | None = None) -> int:
    """Create the shipped documents that are missing; `document_model` may be a migration's
    historical model, `versions` the (system, kind, version) keys a migration loads (all by
    default). Returns how many were created."""
    wanted = set(versions) if versions is not None else None
    created = 0
    for shipped in SHIPPED:
        if wanted is not None and (shipped.system, shipped.kind, shipped.version) not in wanted:
            continue
        _document, was_created = document_model.objects.get_or_create(
            system=shipped.system,
            kind=shipped.kind,
            version=shipped.version,
            defaults={
                "title": shipped.title,
                "body": shipped.body(),
                "effective_date": shipped.effective_date,
                "published_at": shipped.published_at,
            },
        )
        created += int(was_created)
    return created
