"""一括処理 (SW-W02..W13, W15..W18): the switching site's screens of the bulk-file mechanism
(kouiki.bulk, ADR 0030) — per function its upload screen and template, per line the list of the
organization's files, and each file's page: validation result, confirmation table, progress bar
(static/switching/bulk.js polls the progress endpoint; without script, a 更新 link), error and
result CSVs.

Each upload screen is guarded by its function (catalog url_name ``sw:bulk_w02`` …); a file's pages
by the function it was uploaded for: another organization's file, or one of a function the user may
not use, is a 404. A function whose handler is not registered yet (kouiki.switching.services.bulk) is a 404.
"""

from __future__ import annotations

import base64
from itertools import islice
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.bulk import registry, services
from kouiki.bulk.services import BulkFile, FileState, RowState
from kouiki.core import catalog
from kouiki.core.csvio import Column, csv_response
from kouiki.core.errors import KouikiError
from kouiki.core.japanese import too_long_message
from kouiki.core.lists import paginate
from kouiki.core.systems import System
from kouiki.identity.access import enrolled_required, function_required, usable
from kouiki.switching.services.lines import FIT, HIGH, LINES, LOW, Line
from kouiki.switching.views.common import page, route_name

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The bulk functions of each line, in the menu's order.
BULK_FUNCTIONS: dict[str, tuple[str, ...]] = {
    LOW: ("SW-W02", "SW-W03", "SW-W04", "SW-W05", "SW-W06", "SW-W07"),
    HIGH: ("SW-W08", "SW-W09", "SW-W10", "SW-W11", "SW-W12", "SW-W13"),
    FIT: ("SW-W15", "SW-W16", "SW-W17", "SW-W18"),
}
LINE_OF_FUNCTION = {function_id: key for key, ids in BULK_FUNCTIONS.items() for function_id in ids}
ERRORS_SHOWN = 100
ROWS_PER_PAGE = 50


def slug(function_id: str) -> str:
    """``SW-W02`` → ``w02``: the function's path segment and URL names (``sw:bulk_w02``)."""
    return function_id.removeprefix("SW-").lower()


def upload_url_name(function_id: str) -> str:
    return f"sw:bulk_{slug(function_id)}"


def _function(function_id: str) -> registry.BulkFunction:
    try:
        return registry.get(function_id)
    except KeyError:
        raise Http404("この一括処理はまだ利用できません。") from None


def _line_of(function_id: str) -> Line:
    return LINES[LINE_OF_FUNCTION[function_id]]


def _title(function: registry.BulkFunction) -> str:
    return function.title or catalog.get(function.function_id).title


# --- upload ------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSVファイル",
        help_text="Excelで「CSV UTF-8」または「CSV」形式で保存したファイル。1行目は見出し行です。",
        error_messages={"required": "CSVファイルを指定してください。", "empty": "ファイルが空です。"},
    )

    def __init__(self, *args: Any, function: registry.BulkFunction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.function = function
        for column in function.shared_fields:
            if column.name.endswith("_file"):
                self.fields[column.name] = forms.FileField(
                    label=column.label,
                    required=column.required,
                    error_messages={
                        "required": "ファイルを指定してください。",
                        "empty": "ファイルが空です。",
                    },
                )
            else:
                self.fields[column.name] = forms.CharField(
                    label=column.label,
                    required=column.required,
                    error_messages={"required": "入力してください。"},
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for column in self.function.shared_fields:
            value = cleaned.get(column.name)
            if isinstance(value, str) and value:
                self._check_text(column, value)
        return cleaned

    def _check_text(self, column: Column, value: str) -> None:
        if column.normalizer is not None:
            value = column.normalizer(value)
            self.cleaned_data[column.name] = value
        if column.max_length is not None and len(value) > column.max_length:
            self.add_error(column.name, too_long_message(column.max_length, len(value)))
            return
        validators = [column.validator, *column.validators] if column.validator else list(column.validators)
        for validator in validators:
            try:
                validator(value)
            except forms.ValidationError as error:
                self.add_error(column.name, error)
                return

    def shared(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for column in self.function.shared_fields:
            value = self.cleaned_data.get(column.name)
            if value is None or value == "":
                continue
            if column.name.endswith("_file"):
                values[column.name] = {
                    "name": value.name,
                    "content_type": value.content_type or "",
                    "data_b64": base64.b64encode(value.read()).decode("ascii"),
                }
            else:
                values[column.name] = value
        return values


def upload(request: HttpRequest, actor: User, function_id: str) -> HttpResponse:
    """The upload screen of one bulk function: the form, the template, the latest files."""
    function = _function(function_id)
    line = _line_of(function_id)
    form = UploadForm(request.POST or None, request.FILES or None, function=function)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            file = services.upload(
                actor=actor,
                function_id=function_id,
                name=upload_file.name,
                data=upload_file.read(),
                shared=form.shared(),
            )
        except KouikiError as error:
            form.add_error("file", error.message)
        else:
            return redirect("sw:bulk_file", file.pk)
    context = {
        "title": _title(function),
        "function": function,
        "function_id": function_id,
        "form": form,
        "template_url": reverse(f"{upload_url_name(function_id)}_template"),
        "list_url": reverse(f"sw:{route_name(line, 'bulk')}"),
        "files": services.files_of(actor, [function_id])[:10],
        "columns": function.columns,
        "has_update_flag": any(column.name == "update_flag" for column in function.columns),
        "max_rows": function.max_rows,
        "max_mb": _max_mb(),
    }
    status = 422 if form.is_bound and form.errors else 200
    return page(request, "switching/bulk_upload.html", context, line=line, status=status)


def _max_mb() -> int:
    return int(settings.KOUIKI_BULK_MAX_BYTES) // (1024 * 1024)


def template(request: HttpRequest, actor: User, function_id: str) -> HttpResponse:
    """The function's template: the API's fields as Japanese headers, and an example row."""
    function = _function(function_id)
    return csv_response(f"{_title(function)}_テンプレート.csv", services.template_csv(function))


# --- the line's list -------------------------------------------------------------------------------


def file_list(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """The organization's files of the line's bulk functions the user may use, newest first."""
    ids = BULK_FUNCTIONS[line.key]
    allowed = sorted(usable(actor, System.SWITCHING, ids))
    functions = [
        (catalog.get(f).name, reverse(upload_url_name(f))) for f in allowed if f in _registered_ids()
    ]
    files = paginate(request, services.files_of(actor, allowed), ROWS_PER_PAGE)
    context = {
        "title": f"{line.label} 一括処理",
        "functions": functions,
        "page": files,
        "names": {f: catalog.get(f).name for f in ids},
    }
    return page(request, "switching/bulk_list.html", context, line=line)


def _registered_ids() -> set[str]:
    return {function.function_id for function in registry.all_functions()}


# --- one file ------------------------------------------------------------------------------------


def _file(actor: User, pk: int) -> tuple[BulkFile, registry.BulkFunction]:
    file = services.file_of(actor, pk)
    return file, _function(file.function_id)


@enrolled_required(System.SWITCHING)
@require_GET
def file_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """A file: its state and counts, a progress bar while a job runs, the first bad rows, the
    confirmation table of what will be (or was) filed, the CSVs."""
    file, function = _file(actor, pk)
    line = _line_of(file.function_id)
    progress = services.progress(file)
    errors = list(islice(services.error_rows(file), ERRORS_SHOWN))
    good_states = [RowState.PENDING, RowState.DONE, RowState.FAILED, RowState.SKIPPED]
    rows = paginate(
        request,
        file.rows.filter(state__in=good_states)
        .order_by("line")
        .only("line", "state", "summary", "number", "error"),
        ROWS_PER_PAGE,
    )
    labels = list(function.summary_labels)
    if not labels:
        first = next(iter(rows.object_list), None)
        labels = list(first.summary) if first is not None else []
    context = {
        "title": _title(function),
        "file": file,
        "progress": progress,
        "errors": errors,
        "more_errors": max(0, file.bad_rows + len(file.file_errors) - len(errors)),
        "page": rows,
        "labels": labels,
        "table": [(row, [row.summary.get(label, "") for label in labels]) for row in rows.object_list],
        "may_confirm": file.state == FileState.VALIDATED and file.good_rows > 0,
        "may_cancel": file.state in (FileState.VALIDATED, FileState.INVALID),
        "upload_url": reverse(upload_url_name(file.function_id)),
        "list_url": reverse(f"sw:{route_name(line, 'bulk')}"),
        "progress_url": reverse("sw:bulk_progress", args=[file.pk]),
        "same_content": services.same_content(file),
    }
    return page(request, "switching/bulk_file.html", context, line=line)


@enrolled_required(System.SWITCHING)
@require_GET
def file_progress(request: HttpRequest, actor: User, pk: int) -> JsonResponse:
    """The progress bar's data (polled by static/switching/bulk.js)."""
    file, _ = _file(actor, pk)
    return JsonResponse(services.progress(file).as_dict())


@enrolled_required(System.SWITCHING)
@require_GET
def error_csv(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    file, function = _file(actor, pk)
    return csv_response(f"{_title(function)}_エラー_{file.pk}.csv", services.error_csv(file))


@enrolled_required(System.SWITCHING)
@require_GET
def result_csv(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    file, function = _file(actor, pk)
    return csv_response(f"{_title(function)}_結果_{file.pk}.csv", services.result_csv(file))


@enrolled_required(System.SWITCHING)
@require_POST
def confirm(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """確定: the good rows are filed by the background job."""
    file, _ = _file(actor, pk)
    try:
        file = services.confirm(actor=actor, file=file)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"登録を確定しました（{file.good_rows:,}件）。登録の進み具合はこの画面で確認できます。"
        )
    return redirect("sw:bulk_file", file.pk)


@enrolled_required(System.SWITCHING)
@require_POST
def cancel(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """中止: nothing of the file is filed."""
    file, _ = _file(actor, pk)
    try:
        services.cancel(actor=actor, file=file)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "このファイルの登録を中止しました。登録された行はありません。")
    return redirect("sw:bulk_file", file.pk)


# --- URLs ----------------------------------------------------------------------------------------


def _per_function(view: Any, function_id: str) -> Any:
    def screen(request: HttpRequest, actor: User) -> HttpResponse:
        return view(request, actor, function_id)

    screen.__name__ = f"{view.__name__}_{slug(function_id)}"
    screen.__wrapped__ = view  # type: ignore[attr-defined]
    return require_http_methods(["GET", "POST"] if view is upload else ["GET"])(
        function_required(function_id)(screen)
    )


def _per_line(line: Line) -> Any:
    def screen(request: HttpRequest, actor: User) -> HttpResponse:
        return file_list(request, actor, line)

    screen.__wrapped__ = file_list  # type: ignore[attr-defined]
    return require_GET(enrolled_required(System.SWITCHING)(screen))


def patterns() -> list[URLPattern]:
    """The bulk screens' URLs, below /switching/."""
    urls = []
    for key, function_ids in BULK_FUNCTIONS.items():
        line = LINES[key]
        urls.append(path(f"{key}/bulk/", _per_line(line), name=route_name(line, "bulk")))
        for function_id in function_ids:
            name = f"bulk_{slug(function_id)}"
            urls.append(
                path(f"{key}/bulk/{slug(function_id)}/", _per_function(upload, function_id), name=name)
            )
            urls.append(
                path(
                    f"{key}/bulk/{slug(function_id)}/template.csv",
                    _per_function(template, function_id),
                    name=f"{name}_template",
                )
            )
    urls += [
        path("bulk/<int:pk>/", file_detail, name="bulk_file"),
        path("bulk/<int:pk>/progress.json", file_progress, name="bulk_progress"),
        path("bulk/<int:pk>/errors.csv", error_csv, name="bulk_errors_csv"),
        path("bulk/<int:pk>/result.csv", result_csv, name="bulk_result_csv"),
        path("bulk/<int:pk>/confirm/", confirm, name="bulk_confirm"),
        path("bulk/<int:pk>/cancel/", cancel, name="bulk_cancel"),
    ]
    return urls
