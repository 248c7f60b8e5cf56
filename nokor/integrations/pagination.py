"""Cursor pagination for the API's lists: ``@paginate(CursorPagination, ordering=("-created_at", "-pk"))``
under the operation's decorator (``response=list[ItemOut]``: Ninja turns it into the page's schema).

A page ends with ``next``, the address of the following page (null on the last one), carrying an opaque
``cursor``: URL-safe base64 of the ordering values of the page's last item. The next page starts strictly
after those values (keyset pagination), so it neither repeats nor skips items when new ones arrive, and it
costs the same on page 1000 as on page 1. The ordering names fields (or annotations) of the model itself,
and ends with a unique one (``pk``) to be stable.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from nokor.integrations.problems import ApiProblem

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class _ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's encoder keeps milliseconds: a cursor would skip the items
    created within the same millisecond as a page's last one)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, cls=_ExactEncoder, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, length: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as error:
        raise _bad_cursor() from error
    if not isinstance(values, list) or len(values) != length:
        raise _bad_cursor()
    return values


def _bad_cursor() -> ApiProblem:
    return ApiProblem(400, None, _("The cursor is not valid: follow the next link of the previous page."))


class CursorPagination(PaginationBase):
    """Keyset pagination on ``ordering`` (see the module docstring)."""

    class Input(Schema):
        cursor: str | None = Field(None, description="From the next link of the previous page.")
        page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    class Output(Schema):
        results: list[Any]
        next: str | None = Field(description="The address of the next page; null on the last page.")

    items_attribute = "results"

    def __init__(
        self,
        *,
        ordering: tuple[str, ...] = ("-pk",),
        on_page: Callable[[HttpRequest, list[Any]], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """``on_page(request, items)`` runs on each page served (e.g. to audit who read which record)."""
        self.ordering = ordering
        self.fields = [name.lstrip("-") for name in ordering]
        self.on_page = on_page
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        queryset = queryset.order_by(*self.ordering)
        if pagination.cursor:
            values = _decode(pagination.cursor, len(self.fields))
            fields = [self._field(queryset, name) for name in self.fields]
            try:  # each value as its field's Python value, so a forged one fails here, not in the database
                values = [field.to_python(value) for field, value in zip(fields, values, strict=True)]
            except (DjangoValidationError, ValueError, TypeError, OverflowError) as error:
                raise _bad_cursor() from error
            queryset = queryset.filter(self._after(values))
        page = list(queryset[: pagination.page_size + 1])
        more, page = len(page) > pagination.page_size, page[: pagination.page_size]
        if self.on_page is not None:
            self.on_page(request, page)
        return {"results": page, "next": self._next_url(request, page[-1]) if more else None}

    @staticmethod
    def _field(queryset: QuerySet, name: str) -> Any:
        """The model field, or the annotation's output field, that ``name`` orders by."""
        if name == "pk":
            return queryset.model._meta.pk
        if name in queryset.query.annotations:
            return queryset.query.annotations[name].output_field
        return queryset.model._meta.get_field(name)

    def _after(self, values: list[Any]) -> Q:
        """Items strictly after ``values`` in the ordering: (a after x) or (a = x and b after y) or …"""
        condition = Q()
        for index in reversed(range(len(self.ordering))):
            name = self.fields[index]
            step = Q(**{f"{name}__{'lt' if self.ordering[index].startswith('-') else 'gt'}": values[index]})
            if index < len(self.ordering) - 1:
                step |= Q(**{name: values[index]}) & condition
            condition = step
        return condition

    def _next_url(self, request: HttpRequest, last: Any) -> str:
        values = [getattr(last, "pk" if name == "pk" else name) for name in self.fields]
        query = request.GET.copy()
        query["cursor"] = _encode(values)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), doseq=True)}")
