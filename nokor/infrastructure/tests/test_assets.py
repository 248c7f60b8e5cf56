"""Assets: scoped list and pages, filters, edit with audit and serial uniqueness, pinned query counts."""

from __future__ import annotations

import pytest
from django.conf import settings

from nokor.audit.models import AuditEvent
from nokor.infrastructure import selectors
from nokor.infrastructure.models import Asset
from nokor.infrastructure.tests.conftest import make_asset, make_site

pytestmark = pytest.mark.django_db


def test_provincial_officer_sees_only_their_province_assets(login, infra_officer_kandal, estate):
    client = login(infra_officer_kandal)
    page = client.get("/infrastructure/assets/").content.decode()
    assert "K-1" in page and "P-1" not in page
    assert client.get(f"/infrastructure/assets/{estate['pp_laptop'].pk}/").status_code == 404
    assert client.get(f"/infrastructure/assets/{estate['pp_laptop'].pk}/edit/").status_code == 404
    assert client.get(f"/infrastructure/assets/{estate['kandal_laptop'].pk}/").status_code == 200


def test_filters_by_type_status_and_end_of_life(infrastructure_officer, estate):
    make_asset(estate["kandal"], "R-1", asset_type=Asset.Type.ROUTER, status=Asset.Status.SPARE)
    serials = lambda **f: {a.serial for a in selectors.assets_for(infrastructure_officer, **f)}  # noqa: E731
    assert serials(eol="passed") == {"K-1"}
    assert serials(asset_type="router") == {"R-1"}
    assert serials(status="spare") == {"R-1"}
    assert serials(unit="12") == {"P-1"}
    assert serials(search="r-") == {"R-1"}


def test_editing_an_asset_is_audited_and_refuses_a_taken_serial(login, infra_officer_kandal, estate):
    client = login(infra_officer_kandal)
    asset = estate["kandal_laptop"]
    make_asset(estate["kandal"], "K-2")
    data = {
        "asset_type": "laptop",
        "serial": "K-2",
        "status": "repair",
        "site": estate["kandal"].pk,
        "lock_version": asset.lock_version,
    }
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/infrastructure/assets/{asset.pk}/edit/", data)
    assert response.status_code == 200 and "this serial number" in response.content.decode()
    response = client.post(f"/infrastructure/assets/{asset.pk}/edit/", {**data, "serial": "K-1b"})
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.serial, asset.status, asset.lock_version) == ("K-1b", "repair", 1)
    assert AuditEvent.objects.filter(action="infrastructure.asset_update", object_id=str(asset.pk)).exists()


def test_an_asset_cannot_be_moved_to_an_office_outside_the_officer_units(login, infra_officer_kandal, estate):
    asset = estate["kandal_laptop"]
    data = {"asset_type": "laptop", "serial": "K-1", "status": "in_use", "site": estate["phnom_penh"].pk}
    response = login(infra_officer_kandal).post(f"/infrastructure/assets/{asset.pk}/edit/", data)
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    asset.refresh_from_db()
    assert asset.site == estate["kandal"]


def test_opening_an_assigned_asset_is_audited(login, infrastructure_officer, estate, investigator):
    asset = estate["kandal_laptop"]
    asset.assigned_to = investigator
    asset.save()
    login(infrastructure_officer).get(f"/infrastructure/assets/{asset.pk}/")
    assert AuditEvent.objects.filter(object_id=str(asset.pk), actor=infrastructure_officer).exists()


def test_asset_list_query_count_is_pinned_and_the_count_is_bounded(
    login, infrastructure_officer, units, settings, django_assert_max_num_queries, monkeypatch
):
    site = make_site(units["080101"])
    Asset.objects.bulk_create(
        Asset(site=site, unit=site.unit, unit_code=site.unit_code, asset_type="desktop", serial=f"D-{n}")
        for n in range(120)
    )
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 100)
    client = login(infrastructure_officer)
    client.get("/infrastructure/assets/")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_assert_max_num_queries(10):
        response = client.get("/infrastructure/assets/?unit=08&type=desktop&page=2")
    page = response.content.decode()
    assert response.status_code == 200 and "More than 100 match" in page
