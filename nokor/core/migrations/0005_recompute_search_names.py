"""Recompute the stored search forms after ``normalize_for_search`` learnt the Khmer spelling variants
(``nokor.core.text.KHMER_VARIANTS``): unit names, people's names and applicants' names. Only rows whose
form changes are written, in batches."""

from django.db import migrations

from nokor.core.bulk import update_in_bulk
from nokor.core.text import normalize_for_search
from nokor.geography.models import AdministrativeUnit

BATCH = 2000


def _recompute(model, fields, target, make):
    changed = []
    for row in model.objects.only("pk", target, *fields).iterator(chunk_size=BATCH):
        value = make(*(getattr(row, field) for field in fields))
        if value != getattr(row, target):
            setattr(row, target, value)
            changed.append(row)
        if len(changed) >= BATCH:
            update_in_bulk(changed, [target])
            changed = []
    update_in_bulk(changed, [target])


def recompute(apps, schema_editor):
    _recompute(
        apps.get_model("geography", "AdministrativeUnit"),
        ["name_km", "name_latin"],
        "search_name",
        AdministrativeUnit.make_search_name,
    )
    _recompute(apps.get_model("accounts", "User"), ["full_name"], "full_name_search", normalize_for_search)
    _recompute(
        apps.get_model("services", "Application"),
        ["applicant_name"],
        "applicant_name_search",
        normalize_for_search,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_khmer_collation"),
        ("geography", "0001_initial"),
        ("accounts", "0003_user_position"),
        ("services", "0005_application_decided_index"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
