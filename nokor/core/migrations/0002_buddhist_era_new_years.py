"""Seed the Buddhist Era new year (Visakha Bochea) days of 2020-2040.

The dates were taken from the holidays package (0.109, holidays.Cambodia, "Visaka Bochea Day", which
follows the Khmer calendar: always the full moon of Pisak) and are written out here so that the
migration gives the same rows whatever version of the package is installed. Checked against the
official lists: 2022-05-15, 2023-05-04, 2024-05-22, 2025-05-11, 2026-05-01 (Royal Ploughing Ceremony
on 2026-05-05). Rows an administrator already entered are kept; the reverse removes only the rows
that still hold the seeded day.
"""

import datetime as dt

from django.db import migrations
from django.db.models import Q

VISAKHA_BOCHEA = {
    2020: dt.date(2020, 5, 6),
    2021: dt.date(2021, 4, 26),
    2022: dt.date(2022, 5, 15),
    2023: dt.date(2023, 5, 4),
    2024: dt.date(2024, 5, 22),
    2025: dt.date(2025, 5, 11),
    2026: dt.date(2026, 5, 1),
    2027: dt.date(2027, 5, 20),
    2028: dt.date(2028, 5, 8),
    2029: dt.date(2029, 4, 27),
    2030: dt.date(2030, 5, 16),
    2031: dt.date(2031, 5, 5),
    2032: dt.date(2032, 5, 23),
    2033: dt.date(2033, 5, 13),
    2034: dt.date(2034, 5, 2),
    2035: dt.date(2035, 5, 21),
    2036: dt.date(2036, 5, 10),
    2037: dt.date(2037, 4, 29),
    2038: dt.date(2038, 5, 18),
    2039: dt.date(2039, 5, 7),
    2040: dt.date(2040, 4, 25),
}


def seed(apps, schema_editor):
    BuddhistEraNewYear = apps.get_model("core", "BuddhistEraNewYear")
    BuddhistEraNewYear.objects.bulk_create(
        [BuddhistEraNewYear(year=year, date=day) for year, day in VISAKHA_BOCHEA.items()],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    BuddhistEraNewYear = apps.get_model("core", "BuddhistEraNewYear")
    seeded = Q()
    for year, day in VISAKHA_BOCHEA.items():
        seeded |= Q(year=year, date=day)
    BuddhistEraNewYear.objects.filter(seeded).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
