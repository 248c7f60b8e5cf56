"""Background work of open data: regenerate one dataset, or all of them (nightly). Idempotent: a
regeneration whose content did not change publishes nothing, so a retry or a second worker is harmless."""

from __future__ import annotations

import datetime as dt

from nokor.core.tasks import background, periodic
from nokor.opendata import services
from nokor.opendata.models import Dataset


@background(max_attempts=3)
def regenerate_dataset(slug: str) -> int | None:
    """Regenerate one dataset; the new version, or None when its content did not change."""
    dataset = Dataset.objects.filter(slug=slug).first()
    if dataset is None:
        return None
    release = services.dataset_regenerate(dataset=dataset)
    return release.version if release else None


@periodic(every=dt.timedelta(days=1), name="opendata.regenerate_nightly")
@background(max_attempts=3)
def regenerate_datasets() -> dict[str, int | None]:
    """Regenerate every dataset of the catalogue (nightly)."""
    return services.datasets_regenerate()
