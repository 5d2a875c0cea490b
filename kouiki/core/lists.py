"""One list screen: a search form → the scoped selector → a page of rows → the template.

Every list screen of the three systems and the back office is this flow (NetBox's ObjectListView,
Django's ListView, without the class hierarchy): the form says what the user asked for, the
selector returns the rows the actor may see, and the page is what the template shows. A form whose
input is invalid finds nothing (its errors say why); an unbound form finds everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

PAGE_SIZE = 20


class SearchForm(Protocol):
    """A list's search form: the selector's keyword arguments, or None while the input is invalid."""

    def filters(self) -> dict[str, Any] | None: ...


class FilterForm(forms.Form):
    """A search form of the usual shape: no input finds everything, invalid input finds nothing, and
    valid input is `arguments()`."""

    def filters(self) -> dict[str, Any] | None:
        """The selector's keyword arguments ({} when unbound); None while the input is invalid."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return self.arguments()

    def arguments(self) -> dict[str, Any]:
        """The selector's keyword arguments from the valid input: by default the fields filled in."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


def paginate(request: HttpRequest, rows: Any, page_size: int = PAGE_SIZE) -> Page[Any]:
    """The page of `rows` the request's `page` parameter asks for (the last one past the end)."""
    return Paginator(rows, page_size).get_page(request.GET.get("page"))


def searched(form: SearchForm | None, select: Callable[..., QuerySet[Any]]) -> QuerySet[Any]:
    """The rows the selector returns for the form's filters; none while the form is invalid."""
    if form is None:
        return select()
    filters = form.filters()
    if filters is None:
        return select().none()
    return select(**filters)


def list_page(
    request: HttpRequest,
    *,
    select: Callable[..., QuerySet[Any]],
    template: str,
    title: str,
    form: SearchForm | None = None,
    context: Mapping[str, Any] | None = None,
    page_size: int = PAGE_SIZE,
    page_name: str = "page",
) -> HttpResponse:
    """Render a list screen: `select(**form.filters())` (the actor bound by the caller), paginated,
    with the form, the title and any extra context."""
    page = paginate(request, searched(form, select), page_size)
    return render(request, template, {"form": form, page_name: page, "title": title, **(context or {})})
