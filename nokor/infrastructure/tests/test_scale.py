"""manage.py seed_scale --sites --assets --monitors: offices, assets and monitors with their history in
the roll-ups' storage form, topped up without duplicates, that the pages and the roll-up job read like
any others."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from nokor.infrastructure import monitoring
from nokor.infrastructure.models import Asset, Incident, Monitor, Rollup, Site
from nokor.infrastructure.samples import unpack

FACTS = "NOKOR_SEED "


@pytest.fixture(autouse=True)
def demo_mode(settings):
    settings.DEMO = True  # seed_scale refuses to run outside demo and benchmark installations
    settings.INFRA_CHECK_RETENTION_DAYS = 2
    settings.INFRA_HOURLY_RETENTION_DAYS = 3


def seed_scale(*args: str) -> dict:
    out = io.StringIO()
    call_command("seed_scale", *args, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith(FACTS))
    return json.loads(line.removeprefix(FACTS))["infrastructure"]


def test_seeds_offices_assets_and_monitor_history_and_tops_up(units, login, infrastructure_officer):
    facts = seed_scale("--sites", "30", "--assets", "200", "--monitors", "20", "--monitor-days", "10")
    assert (Site.objects.count(), Asset.objects.count(), Monitor.objects.count()) == (30, 200, 20)
    assert facts["site_list_path"] == "/infrastructure/sites/?unit=08"
    # Every asset carries its office's unit; serial numbers are unique per type.
    assert not Asset.objects.exclude(unit_code=F("site__unit_code")).exclude(unit=F("site__unit")).exists()
    monitor = Monitor.objects.order_by("pk").first()
    assert monitor.rollups.filter(period=Rollup.Period.DAY).count() == 10
    hours = monitor.rollups.filter(period=Rollup.Period.HOUR)
    assert hours.count() == 72 and hours.filter(samples__isnull=False).count() == 48
    packed = hours.filter(samples__isnull=False).first()
    assert len(unpack(packed.start, packed.samples)) == packed.checks == 60
    assert Incident.objects.filter(is_public=True).count() == 3
    # Asked again, nothing is added; asked for more, only the missing ones.
    seed_scale("--sites", "30", "--assets", "200", "--monitors", "20", "--monitor-days", "10")
    assert (Site.objects.count(), Asset.objects.count(), Monitor.objects.count()) == (30, 200, 20)
    seed_scale("--sites", "35", "--assets", "210", "--monitors", "21", "--monitor-days", "10")
    assert (Site.objects.count(), Asset.objects.count(), Monitor.objects.count()) == (35, 210, 21)
    assert Rollup.objects.filter(period=Rollup.Period.DAY).count() == 21 * 10
    # The roll-up job takes the seeded raw checks like any others; the pages read what was made.
    monitoring.rollup()
    assert monitoring.purge() == {"emptied": 0, "deleted": 0}
    client = login(infrastructure_officer)
    assert client.get(facts["asset_list_path"]).status_code == 200
    assert client.get(reverse("infrastructure:monitors")).status_code == 200
    assert "សេវា 0" in client.get(reverse("infrastructure:status")).content.decode()
