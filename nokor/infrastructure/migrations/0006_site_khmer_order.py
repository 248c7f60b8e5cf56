"""The office list's order: unit code, then the Khmer name in Khmer order (the ``khmer`` collation of
``core.0004``), then id, as an index, so a page of 50 offices of a province is read in order."""

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_khmer_collation"),
        ("geography", "0001_initial"),
        ("infrastructure", "0005_site_search_name"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="site",
            index=models.Index(
                models.F("unit_code"),
                django.db.models.functions.comparison.Collate("name_km", "khmer"),
                models.F("id"),
                name="infra_site_unit_khmer_idx",
            ),
        ),
    ]
