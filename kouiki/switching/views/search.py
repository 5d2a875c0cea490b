"""特定地点検索 (SW-W01 低圧 under /switching/low/search/, SW-W14 低圧FIT under
/switching/fit/search/): a GET form (a search changes nothing), the service's refusals shown on
their fields, at most `search.LIMIT` points with "refine" past it (ADR 31)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.identity.access import function_required
from kouiki.switching.forms import FunctionForm
from kouiki.switching.models import Purpose
from kouiki.switching.services import search
from kouiki.switching.services.lines import FIT, LINES, LOW, Line
from kouiki.switching.views.common import function_title, page

if TYPE_CHECKING:
    from kouiki.identity.models import User


def _text(label: str, max_length: int, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        error_messages={"max_length": f"{label}は{max_length}文字以内で入力してください。"},
    )


class SearchForm(FunctionForm):
    """The criteria of a search; the rules (what is enough to search, the purpose a name needs) are
    the service's, shown on these fields."""

    address = _text(
        "需要場所住所（一部）",
        200,
        f"{search.MIN_ADDRESS}文字以上。例: 丸の内1-9、丸の内一丁目9番"
        "（全角・半角、漢数字、空白は問いません）",
    )
    pole_number = _text("引込柱番号", 40, "完全一致（全角・半角、空白・ハイフンは問いません）")
    meter_number = _text("計器番号", 40, "完全一致（全角・半角、空白・ハイフンは問いません）")
    customer_name = _text(
        "需要者氏名（前方一致）",
        100,
        "貴社が現小売、またはスイッチング手続中の新小売である供給地点に限ります。利用目的が必要です。",
    )
    purpose = forms.ChoiceField(
        label="利用目的",
        required=False,
        choices=[("", "指定しない（氏名を表示しない）"), *Purpose.choices],
        help_text="指定すると、貴社が現小売・手続中の新小売である供給地点に需要者氏名を表示します。閲覧は記録されます。",
        error_messages={"invalid_choice": "利用目的の選択が不正です。"},
    )

    def criteria(self) -> search.Criteria:
        return search.Criteria(**{name: self.cleaned_data.get(name) or "" for name in self.fields})


def _search(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    function_id = search.FUNCTIONS[line.key]
    form = SearchForm(request.GET or None, line=line)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = search.search(actor=actor, function_id=function_id, criteria=form.criteria())
        except KouikiError as error:
            errors_onto_form(form, error, default_field="address", with_summary=True)
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "title": function_title(function_id),
        "function_id": function_id,
        "limit": search.LIMIT,
        "point_label": line.point_label,
        "customer_label": line.customer_label,
    }
    status = 422 if form.is_bound and form.errors else 200
    return page(request, "switching/search.html", context, line=line, status=status)


@function_required("SW-W01")
@require_GET
def search_low(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-W01 低圧 特定地点検索."""
    return _search(request, actor, LINES[LOW])


@function_required("SW-W14")
@require_GET
def search_fit(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-W14 低圧FIT 特定地点検索."""
    return _search(request, actor, LINES[FIT])
