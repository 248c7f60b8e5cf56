"""The plan's public indicators: every value of the aggregate table the public may see (indicators marked
public; manual ones from approved progress reports only), for the whole country and by province, with
small numbers hidden by the same rule as the public page of the plan (:func:`views_public.shown`)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from nokor.opendata.builders import (
    SUPPRESSION_FLAG,
    Builder,
    Column,
    Table,
    expand,
    province_columns,
    province_names,
    register,
)
from nokor.opendata.suppression import PRIMARY, TOTAL
from nokor.strategy.models import Indicator, IndicatorAggregate
from nokor.strategy.status import Reading, period_bounds
from nokor.strategy.views_public import shown

COLUMNS = (
    Column("indicator", "string", "លេខកូដសូចនាករនៃផែនការ។", "Code of the plan's indicator."),
    Column("indicator_title_km", "string", "ចំណងជើងសូចនាករជាភាសាខ្មែរ។", "Title of the indicator in Khmer."),
    Column("indicator_title_en", "string", "ចំណងជើងសូចនាករជាភាសាអង់គ្លេស។", "Title of the indicator in English."),
    Column(
        "unit",
        "string",
        "ឯកតា៖ number (ចំនួន), percentage (ភាគរយ), currency (រៀល), yes_no (បាទ/ទេ)។",
        "Unit: number, percentage, currency (riel) or yes_no.",
    ),
    Column("year", "integer", "ឆ្នាំ (គ.ស.)។", "Year (Common Era)."),
    Column("quarter", "integer", "ត្រីមាស ១ ដល់ ៤ (០៖ ពេញមួយឆ្នាំ)។", "Quarter 1 to 4 (0: the whole year)."),
    *province_columns("តម្លៃ", "the value"),
    Column("value", "number", "តម្លៃនៃសូចនាករ។", "Value of the indicator."),
    SUPPRESSION_FLAG,
)


@register
class PlanIndicators(Builder):
    """Public values of the plan's public indicators, by period and province."""

    key = "strategy.indicators"

    def build(self, *, threshold: int) -> Table:
        anonymous = AnonymousUser()  # the public's view
        indicators = {
            indicator.pk: indicator
            for indicator in Indicator.objects.visible_to(anonymous).order_by(
                "objective__strategy__position", "objective__position", "position", "code"
            )
        }
        aggregates = (
            IndicatorAggregate.objects.visible_to(anonymous)
            .filter(sex="")
            .values_list("indicator_id", "year", "quarter", "unit_code", "value", "denominator")
            .order_by()
        )
        order = {pk: index for index, pk in enumerate(indicators)}
        rows, hidden, periods = [], 0, []
        for pk, year, quarter, code, value, denominator in sorted(
            aggregates, key=lambda row: (order.get(row[0], 0), row[1], row[2], row[3] != "", row[3])
        ):
            indicator = indicators.get(pk)
            if indicator is None or value is None:
                continue
            figure, _words = shown(indicator, Reading(year, quarter, value, denominator, unit_code=code))
            flag = "" if figure is not None else PRIMARY
            hidden += bool(flag)
            periods.extend(period_bounds(year, quarter))
            rows.append(
                (
                    indicator.code,
                    indicator.title_km,
                    indicator.title_en,
                    indicator.unit,
                    year,
                    quarter,
                    code or TOTAL,
                    figure,
                    flag,
                )
            )
        provinces = province_names()
        labelled = [expand(row, 6, provinces) for row in rows]
        return Table(COLUMNS, labelled, min(periods, default=None), max(periods, default=None), hidden)
