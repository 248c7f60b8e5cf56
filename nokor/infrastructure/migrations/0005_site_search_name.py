"""Offices get their names' search form (``Site.search_name``), filled here for the existing ones."""

from django.db import migrations, models

from nokor.core.bulk import update_in_bulk
from nokor.infrastructure.models import Site

BATCH = 2000


def fill(apps, schema_editor):
    model = apps.get_model("infrastructure", "Site")
    rows = []
    for site in model.objects.only("pk", "name_km", "name_en").iterator(chunk_size=BATCH):
        site.search_name = Site.make_search_name(site.name_km, site.name_en)
        rows.append(site)
        if len(rows) >= BATCH:
            update_in_bulk(rows, ["search_name"])
            rows = []
    update_in_bulk(rows, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("infrastructure", "0004_unit_code_order_indexes"),
        ("core", "0005_recompute_search_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=401),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
