"""Training completions by course, year and province of the learner's unit (one grouped query over the
enrolments; citizens have no unit and count as "not stated")."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import ExtractYear, Substr
from django.utils import timezone

from nokor.academy.models import Course, Enrolment
from nokor.opendata.builders import (
    SUPPRESSION_FLAG,
    Builder,
    Column,
    Table,
    expand,
    province_columns,
    province_names,
    register,
    suppressed_rows,
)
from nokor.opendata.suppression import TOTAL

COLUMNS = (
    Column("course", "string", "លេខសម្គាល់វគ្គសិក្សា។", "Identifier of the course."),
    Column("course_title_km", "string", "ចំណងជើងវគ្គសិក្សាជាភាសាខ្មែរ។", "Title of the course in Khmer."),
    Column("course_title_en", "string", "ចំណងជើងវគ្គសិក្សាជាភាសាអង់គ្លេស។", "Title of the course in English."),
    Column("year", "integer", "ឆ្នាំដែលបានបញ្ចប់វគ្គ (គ.ស.)។", "Year the course was completed (Common Era)."),
    *province_columns("អង្គភាពរបស់អ្នកសិក្សា", "the learner's unit"),
    Column("completions", "integer", "ចំនួនអ្នកដែលបានបញ្ចប់វគ្គ។", "Completions of the course.", "people"),
    SUPPRESSION_FLAG,
)


@register
class TrainingCompletions(Builder):
    """Completed enrolments by course, year of completion and province."""

    key = "academy.completions"

    def build(self, *, threshold: int) -> Table:
        grouped = (
            Enrolment.objects.filter(status=Enrolment.Status.COMPLETED, completed_at__isnull=False)
            .annotate(
                year=ExtractYear("completed_at", tzinfo=timezone.get_default_timezone()),
                province=Substr("unit_code", 1, 2),
            )
            .values_list("course__slug", "year", "province")
            .annotate(completions=Count("pk"))
            .order_by()
        )
        cells: dict[tuple, list[int]] = {}
        for course, year, province, completions in grouped:
            cells.setdefault((course, year, province or ""), [0])[0] += completions
        rows, hidden = suppressed_rows(cells, threshold=threshold, margins=(2,), additive=1)
        courses = {
            slug: (km, en) for slug, km, en in Course.objects.values_list("slug", "title_km", "title_en")
        }
        provinces = province_names()
        labelled = [expand(expand(row, 2, provinces), 0, courses) for row in rows]
        years = sorted({key[1] for key in cells if key[1] != TOTAL})
        start = dt.date(years[0], 1, 1) if years else None
        end = dt.date(years[-1], 12, 31) if years else None
        return Table(COLUMNS, labelled, start, end, hidden)
