"""Pages of the cybercrime statistics: the public page (every report counted, small counts hidden,
cached a few minutes) and the investigators' page (exact numbers of the reports, cases and freeze
requests of their scope), with a CSV download of each table for investigators (audited).

Both pages take the same filters in the URL (``from_month``, ``to_month``, ``province``), so a view of
the figures can be shared as a link; wrong filters show the form again with what was typed and the
error summary."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nokor.audit.services import audit_record
from nokor.core.access import PUBLIC, rule, staff_with
from nokor.core.db_router import replica_reads
from nokor.core.formatting import format_money
from nokor.cyber import statistics
from nokor.cyber.models import INVESTIGATORS
from nokor.cyber.statistics import COMPLEMENT, COUNT, SMALL, SMALL_COUNT, Period, Table
from nokor.geography.models import AdministrativeUnit, Level

STATISTICS_ROLES = staff_with(*INVESTIGATORS)
FILTERS = ("from_month", "to_month", "province")


class StatisticsFilterForm(forms.Form):
    """The period (whole months) and the province of the figures; every field may be left empty."""

    from_month = forms.CharField(
        label=gettext_lazy("From (month)"),
        required=False,
        max_length=7,
        help_text=gettext_lazy("Year and month, for example 2026-01."),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    to_month = forms.CharField(
        label=gettext_lazy("To (month)"),
        required=False,
        max_length=7,
        help_text=gettext_lazy("Year and month, for example 2026-12."),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)

    def __init__(self, *args, provinces: list[AdministrativeUnit], everywhere: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", everywhere), *((unit.code, unit.name) for unit in provinces)]

    def _month(self, name: str):
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        month = statistics.parse_month(text)
        if month is None:
            raise forms.ValidationError(_("Enter a month as the year and the month, for example 2026-03."))
        return month

    def clean_from_month(self):
        return self._month("from_month")

    def clean_to_month(self):
        return self._month("to_month")

    def clean(self):
        data = super().clean()
        this_month = statistics.month_start(timezone.localdate())
        last = data.get("to_month") or this_month
        first = data.get("from_month") or statistics.add_months(last, 1 - statistics.DEFAULT_MONTHS)
        if "to_month" in data and last > this_month:
            self.add_error("to_month", _("The last month cannot be after this month."))
        elif "from_month" in data and "to_month" in data:
            if first > last:
                self.add_error(
                    "from_month", _("The first month must be the same as the last month or before it.")
                )
            elif len(Period(first, last).months) > statistics.MAX_MONTHS:
                self.add_error(
                    "from_month",
                    _("Choose at most %(count)s months.") % {"count": statistics.MAX_MONTHS},
                )
        data["period"] = Period(first, last)
        return data


def _provinces(user=None) -> list[AdministrativeUnit]:
    """The provinces to choose from: all of them, or (staff) those where the user's scope lies."""
    provinces = list(AdministrativeUnit.objects.filter(level=Level.PROVINCE).order_by("code"))
    if user is None:
        return provinces
    prefixes = user.unit_prefixes_for(INVESTIGATORS) or set()
    if "" in prefixes:
        return provinces
    return [unit for unit in provinces if any(prefix.startswith(unit.code) for prefix in prefixes)]


def _filters(request: HttpRequest, provinces: list[AdministrativeUnit], everywhere: str):
    """The filter form and, when it is valid, the period and the province chosen."""
    bound = any(name in request.GET for name in FILTERS)
    form = StatisticsFilterForm(request.GET if bound else None, provinces=provinces, everywhere=everywhere)
    if not bound:
        return form, Period.last_months(), ""
    if not form.is_valid():
        return form, None, ""
    return form, form.cleaned_data["period"], form.cleaned_data["province"]


def _query(period: Period, province: str) -> str:
    params = {"from_month": f"{period.first:%Y-%m}", "to_month": f"{period.last:%Y-%m}"}
    if province:
        params["province"] = province
    return urlencode(params)


# --------------------------------------------------------------------------------------------------
# Showing a table
# --------------------------------------------------------------------------------------------------
def _shown(cell: statistics.Cell) -> str:
    if cell.hidden == SMALL:
        if cell.kind == COUNT:
            return _("Fewer than %(count)s") % {"count": SMALL_COUNT}
        return _("Not shown: fewer than %(count)s reports") % {"count": SMALL_COUNT}
    if cell.hidden == COMPLEMENT:
        return _("Not shown, so that a small number cannot be worked out")
    if cell.kind == COUNT:
        return f"{cell.value:,}"
    return format_money(cell.value, cell.kind)


def _component(table: Table) -> dict:
    """The table as the table component takes it: column labels and rows of cells; a table of counts
    gets a bar for each row (a <meter>, hidden from screen readers, which read the share beside it)."""
    columns = [{"label": table.label_column}, *({"label": label} for label in table.columns)]
    if table.chart:
        columns.append({"label": _("Share")})
    rows = []
    for row in table.rows:
        cells = [row.label, *(_shown(cell) for cell in row.cells)]
        if table.chart:
            cells.append(
                ""
                if row.share is None
                else format_html(
                    '{}%<meter class="stat-bar" min="0" max="{}" value="{}" aria-hidden="true"></meter>',
                    row.share,
                    table.largest or 1,
                    row.cells[0].value,
                )
            )
        rows.append(cells)
    return {"key": table.key, "title": table.title, "note": table.note, "columns": columns, "rows": rows}


def _headline(figures: statistics.Figures, public: bool) -> list[dict]:
    """The few numbers at the top of the page (summary list component)."""

    def count(value: int) -> str:
        return _shown(statistics.Cell(value, hidden=SMALL if public and 0 < value < SMALL_COUNT else ""))

    def money(value, currency: str, reports: int) -> str:
        hidden = SMALL if public and 0 < reports < SMALL_COUNT else ""
        return _shown(statistics.Cell(value, currency, hidden))

    loss = figures.loss
    frozen = {row.key: row for row in figures.frozen}
    rows = [
        {"key": _("Reports received"), "value": count(figures.reports)},
        {"key": _("Money lost in riel"), "value": money(loss.loss_khr, "KHR", loss.with_loss_khr)},
        {
            "key": _("Money lost in US dollars"),
            "value": money(Decimal(loss.loss_usd_cents) / 100, "USD", loss.with_loss_usd),
        },
    ]
    for currency, label in (("KHR", _("Money frozen in riel")), ("USD", _("Money frozen in US dollars"))):
        row = frozen.get(currency)
        amount, requests = (row.amount, row.count) if row else (Decimal(0), 0)
        rows.append({"key": label, "value": money(amount, currency, requests)})
    rows.append({"key": _("Cases closed"), "value": count(figures.cases_closed)})
    return rows


def _context(form, figures, public: bool, provinces: list[AdministrativeUnit], csv_url: str = "") -> dict:
    context = {"form": form, "figures": figures, "tables": [], "headline": []}
    if figures is None:
        return context
    by_code = {unit.code: unit for unit in provinces}
    built = statistics.tables(figures, public=public, provinces=by_code)
    query = _query(figures.period, figures.province)
    context["tables"] = [
        {
            **_component(built[key]),
            "csv_url": f"{reverse(csv_url, args=[key])}?{query}" if csv_url else "",
        }
        for key in statistics.TABLES
    ]
    context["headline"] = _headline(figures, public)
    first, last = figures.period.first, figures.period.last
    context["period_label"] = (
        statistics.month_label(first)
        if first == last
        else _("%(first)s to %(last)s")
        % {"first": statistics.month_label(first), "last": statistics.month_label(last)}
    )
    context["province"] = by_code.get(figures.province)
    return context


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
@rule(PUBLIC)
@replica_reads
def public_statistics(request: HttpRequest) -> HttpResponse:
    """Reports of cybercrime, money lost and frozen, and cases, for everyone: no personal data, and
    counts from 1 to 4 hidden."""
    provinces = _provinces()
    form, period, province = _filters(request, provinces, _("Whole country"))
    figures = statistics.public_figures(period=period, province=province) if period else None
    context = _context(form, figures, True, provinces)
    context["cache_minutes"] = statistics.PUBLIC_CACHE_SECONDS // 60
    context["small_count"] = SMALL_COUNT
    response = render(request, "cyber/stats/public.html", context)
    if figures is not None:
        # The page carries the visitor's own menu and form token: browsers may keep it, shared caches not.
        patch_cache_control(response, private=True, max_age=statistics.PUBLIC_CACHE_SECONDS)
    return response


@rule(STATISTICS_ROLES)
def staff_statistics(request: HttpRequest) -> HttpResponse:
    """The same figures, exact, over the reports, cases and freeze requests of the user's scope."""
    provinces = _provinces(request.user)
    form, period, province = _filters(request, provinces, _("Everywhere you may see"))
    figures = (
        statistics.staff_figures(user=request.user, period=period, province=province) if period else None
    )
    context = _context(form, figures, False, provinces, csv_url="cyber:staff_statistics_csv")
    return _private(render(request, "cyber/stats/staff.html", context))


@rule(STATISTICS_ROLES)
def staff_statistics_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the investigators' page as CSV (UTF-8 with a byte-order mark), exact numbers;
    every download is an audit event."""
    if table not in statistics.TABLES:
        raise Http404
    provinces = _provinces(request.user)
    form, period, province = _filters(request, provinces, "")
    if period is None:
        return _private(
            HttpResponseBadRequest(_("Choose the months and the province on the statistics page."))
        )
    figures = statistics.staff_figures(user=request.user, period=period, province=province)
    chosen = statistics.tables(figures, public=False, provinces={unit.code: unit for unit in provinces})[
        table
    ]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_("Code"), chosen.label_column, *chosen.columns])
    for row in chosen.rows:
        writer.writerow(
            [_spreadsheet_safe(row.key), _spreadsheet_safe(row.label), *(c.value for c in row.cells)]
        )
    audit_record(
        action="cyber.statistics_export",
        actor=request.user,
        details={
            "table": table,
            "from_month": f"{period.first:%Y-%m}",
            "to_month": f"{period.last:%Y-%m}",
            "province": province,
            "rows": len(chosen.rows),
        },
    )
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = f"nokor-cyber-{table.replace('_', '-')}-{period.first:%Y-%m}-{period.last:%Y-%m}"
    response["Content-Disposition"] = f'attachment; filename="{name}{"-" + province if province else ""}.csv"'
    return _private(response)


def _spreadsheet_safe(text: str) -> str:
    """A quote before a label that a spreadsheet would run as a formula (category names are edited in
    the admin)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response
