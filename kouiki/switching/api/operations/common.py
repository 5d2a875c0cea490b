"""共通 事業者管理: 事業者一覧取得 (SW-C01)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Router

from kouiki.core.api import problems
from kouiki.switching import selectors
from kouiki.switching.api.common import operation
from kouiki.switching.api.schemas import OperatorList

if TYPE_CHECKING:
    from kouiki.identity.models import User

router = Router()


@operation(
    router,
    "get",
    "/operators",
    "SW-C01",
    response={200: OperatorList, **problems(403)},
    description="スイッチング支援システムを利用している事業者（事業者コードと名称）の一覧です。",
)
def list_operators(request: HttpRequest, actor: User) -> Any:
    return {"operators": [{"code": o.code, "name": o.name} for o in selectors.operators(actor=actor)]}
