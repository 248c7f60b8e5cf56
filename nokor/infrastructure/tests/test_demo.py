"""The demo data loads twice without duplicates and shows the pages' cases (an unconnected commune
office, an asset past end of life, incomplete and overdue systems)."""

from __future__ import annotations

import pytest

from nokor.infrastructure import demo, selectors
from nokor.infrastructure.models import Asset, DigitalSystem, Site

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent_and_shows_each_case(infrastructure_officer):
    demo.seed()
    demo.seed()
    assert Site.objects.count() == len(demo.SITES)
    assert Asset.objects.count() == len(demo.ASSETS)
    assert DigitalSystem.objects.count() == 6
    unconnected = {s.name_en for s in selectors.sites_without_usable_connectivity(infrastructure_officer)}
    assert {"Ampov Prey Commune Office", "Anlong Romiet Commune Office"} <= unconnected
    assert selectors.assets_for(infrastructure_officer, eol="passed").exists()
    report = selectors.completeness(infrastructure_officer)
    assert report["overdue"] >= 1 and report["incomplete"] >= 2
