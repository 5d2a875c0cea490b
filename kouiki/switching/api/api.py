"""The NinjaAPI of the switching system: `/api/switching/v1/`, OpenAPI 3.1 at `openapi.json`,
Swagger UI at `docs` (served from ninja's own static files: the CSP allows no CDN)."""

from __future__ import annotations

from ninja.openapi.docs import Swagger

from kouiki.core.api import KouikiAPI
from kouiki.identity.access import ACTING_HEADER
from kouiki.identity.services.request_limits import api_limit
from kouiki.switching.api.auth import authenticate
from kouiki.switching.api.common import NAMESPACE, PREFIX, SYSTEM
from kouiki.switching.api.operations import (
    changes,
    common,
    feed,
    inquiries,
    search,
    status,
    switching_current,
    switching_new,
)
from kouiki.switching.services.lines import LINES

DESCRIPTION = """\
スイッチング支援システムのAPIです。

- 認証: `Authorization: Bearer <APIトークン>`（貴社の管理者が発行）。権限はトークンのユーザと同じです。
- エラー: RFC 9457 の problem details（`application/problem+json`）。`code` は安定した識別子、
  `detail` は日本語の説明、`errors` は項目ごとのメッセージです。
- すべての POST は `Idempotency-Key` ヘッダーを受け付けます。同じキーと同じ本文の再送には最初の応答を
  そのまま返し、同じキーで別の本文を送ると 422 (`idempotency_key_reused`) です。
- 一般送配電事業者へ取り次ぐ申請は 202 と受付番号・状況確認URL（`Location`）を返します。
  状況の変化は `GET /events?after=N` で順に読めるほか、登録したHTTPSの通知先へ署名付きで送られます。
- 流量制限は事業者ごとです。超えると 429 と `Retry-After`（秒）を返します。本機関が貴社に個別の上限を
  設けたとき（利用の制限）は、429 の `detail` がその上限と理由を示します。
- システムの停止中（保守作業など）は 503（`code`: `maintenance`）と `Retry-After` を返します。
- 入力: 番号・コードの全角英数字・ハイフンは半角として扱います。Shift_JIS（CP932）で表せない文字
  （絵文字など）は使えません（422 でその文字を示します）。日付は `YYYY-MM-DD` のみです。
- 線路: {lines}。線路が扱わない区分の地点は 422（`point_class_mismatch`、扱う機能を示します）です。
  受電地点特定番号も `supply_point_number` で指定します。
- `x-occto-service-id`: 各操作に対応する実システムのサービスID（業務処理状況確認を除く）。
- 受託者: 委託者から業務委託を受けた受託者のトークンは、`X-Acting-For` ヘッダーに委託者の事業者コードを
  指定して、委託された機能を委託者の名義で利用します（申請は委託者の申請です）。指定がない、または
  有効な委託がない（取消済み・期間外）ときは 403 です。
"""

# 受託者 (X-I2, ADR 32): every operation reads it (`auth.authenticate`).
ACTING_FOR_PARAMETER = {
    "in": "header",
    "name": ACTING_HEADER,
    "required": False,
    "description": (
        "受託者のトークンのみ: 委託者の事業者コード（4桁）。委託された機能を委託者の名義で利用します。"
        "有効な業務委託がない（取消済み・期間外・他社）ときは 403 です。"
    ),
    "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
}

api = KouikiAPI(
    system=SYSTEM,
    authenticate=authenticate,
    # A tighter rate staff set for the caller's organization (利用の制限, X-S1).
    limit=lambda user: api_limit(user, SYSTEM),
    title="スイッチング支援システム API",
    version="1",
    description=DESCRIPTION.format(
        lines="、".join(f"{line.label}は `{PREFIX}{line.api_prefix}/…`" for line in LINES.values())
    ),
    header_parameters=(ACTING_FOR_PARAMETER,),
    urls_namespace=NAMESPACE,
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=Swagger(settings={"persistAuthorization": False, "displayOperationId": True}),
)

# In the order of FUNCTIONS.md, line by line (低圧, 高圧, FIT); the OpenAPI lists them so.
for line in LINES.values():
    for module in (inquiries, changes, switching_new, switching_current, status):
        api.add_router("", module.operations.router(line))
for module in (feed, common, search):
    api.add_router("", module.router)
