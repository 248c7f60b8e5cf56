"""Offices and their internet links: scoped access (a provincial officer sees only their province), the
usable-connectivity rule, the forms, audit and optimistic locking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nokor.audit.models import AuditEvent
from nokor.infrastructure import selectors, services
from nokor.infrastructure.models import Connectivity, Site
from nokor.infrastructure.tests.conftest import make_link, make_site

pytestmark = pytest.mark.django_db


def test_provincial_officer_sees_only_their_province_sites(login, infra_officer_kandal, estate):
    client = login(infra_officer_kandal)
    page = client.get("/infrastructure/sites/").content.decode()
    assert "Ampov Prey commune office" in page
    assert "Phnom Penh hall" not in page
    assert client.get(f"/infrastructure/sites/{estate['phnom_penh'].pk}/").status_code == 404
    assert client.get(f"/infrastructure/sites/{estate['phnom_penh'].pk}/edit/").status_code == 404
    assert client.get(f"/infrastructure/sites/{estate['kandal'].pk}/").status_code == 200


def test_nationwide_officer_sees_every_province_and_filters_by_one(login, infrastructure_officer, estate):
    client = login(infrastructure_officer)
    page = client.get("/infrastructure/sites/?unit=12").content.decode()
    assert "Phnom Penh hall" in page and "Ampov Prey" not in page


def test_citizens_and_other_staff_cannot_open_the_pages(login, citizen, investigator, estate):
    assert login(citizen).get("/infrastructure/sites/").status_code == 403
    assert login(investigator).get("/infrastructure/assets/").status_code == 403


def test_auditor_reads_but_cannot_change(login, auditor, estate):
    client = login(auditor)
    assert client.get(f"/infrastructure/sites/{estate['kandal'].pk}/").status_code == 200
    assert client.get(f"/infrastructure/sites/{estate['kandal'].pk}/edit/").status_code == 403


@pytest.mark.parametrize(
    ("link_type", "contracted", "measured", "usable"),
    [
        (Connectivity.LinkType.FIBRE, 10, None, True),  # contracted counts when never measured
        (Connectivity.LinkType.FIBRE, 10, 1, False),  # a measurement beats the contract
        (Connectivity.LinkType.MOBILE, None, 2, True),  # exactly the minimum
        (Connectivity.LinkType.SATELLITE, None, None, False),  # no figure at all
        (Connectivity.LinkType.NONE, 100, 100, False),  # "none" is never usable
    ],
)
def test_usable_connectivity_rule_matches_row_and_query(units, link_type, contracted, measured, usable):
    site = make_site(units["080101"])
    link = make_link(site, link_type=link_type, contracted=contracted, measured=measured)
    assert link.is_usable is usable
    assert Connectivity.objects.filter(Connectivity.usable_q(), pk=link.pk).exists() is usable


def test_the_minimum_bandwidth_is_a_setting(units, settings):
    settings.INFRA_USABLE_MIN_MBPS = 20
    link = make_link(make_site(units["080101"]), contracted=10)
    assert not link.is_usable


def test_sites_without_usable_connectivity_are_listed(login, infrastructure_officer, estate, units):
    weak = make_site(units["0801"], "Weak link office")
    make_link(weak, measured=Decimal("0.5"), contracted=10)
    closed = make_site(units["08"], "Closed office", is_active=False)
    listed = set(selectors.sites_without_usable_connectivity(infrastructure_officer))
    assert listed == {estate["kandal_bare"], weak}
    assert closed not in listed
    page = login(infrastructure_officer).get("/infrastructure/sites/unconnected/").content.decode()
    assert "Weak link office" in page and "Ampov Prey" not in page


def test_officer_adds_an_office_in_their_province_only(login, infra_officer_kandal, units):
    client = login(infra_officer_kandal)
    data = {"name_km": "ការិយាល័យ", "name_en": "New office", "kind": "commune_office", "unit": "12"}
    response = client.post("/infrastructure/sites/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page and 'value="New office"' in page  # the typed value is kept
    assert not Site.objects.exists()
    response = client.post("/infrastructure/sites/new/", {**data, "unit": "080101", "is_active": "on"})
    site = Site.objects.get()
    assert response.status_code == 302 and site.unit_code == "080101"
    assert AuditEvent.objects.filter(action="infrastructure.site_create", object_id=str(site.pk)).exists()


def test_a_stale_edit_is_refused_not_overwritten(infrastructure_officer, estate):
    site = estate["kandal"]
    services.site_update(site=site, by=infrastructure_officer, data={"phone": "012"}, expected_version=0)
    with pytest.raises(services.ConcurrentChange):
        services.site_update(site=site, by=infrastructure_officer, data={"phone": "099"}, expected_version=0)
    site.refresh_from_db()
    assert site.phone == "012" and site.lock_version == 1


def test_moving_an_office_moves_its_assets_scope(infrastructure_officer, estate, units):
    services.site_update(site=estate["kandal"], by=infrastructure_officer, data={"unit": units["17"]})
    asset = estate["kandal_laptop"]
    asset.refresh_from_db()
    assert asset.unit_code == "17" and asset.unit == units["17"]


def test_adding_a_link_makes_the_office_connected_and_keeps_one_main_link(
    login, infrastructure_officer, estate
):
    client = login(infrastructure_officer)
    site = estate["kandal_bare"]
    bad = client.post(
        f"/infrastructure/sites/{site.pk}/links/new/", {"link_type": "4g", "measured_mbps": "5"}
    )
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()  # no measurement date
    response = client.post(
        f"/infrastructure/sites/{site.pk}/links/new/",
        {
            "provider": "Cellcard",
            "link_type": "4g",
            "contracted_mbps": "8",
            "currency": "USD",
            "is_primary": "on",
        },
    )
    assert response.status_code == 302
    assert site in Site.objects.filter(selectors.has_usable_link())
    second = client.post(
        f"/infrastructure/sites/{site.pk}/links/new/",
        {
            "provider": "Metfone",
            "link_type": "fibre",
            "contracted_mbps": "50",
            "currency": "KHR",
            "is_primary": "on",
        },
    )
    assert second.status_code == 302
    assert list(site.links.filter(is_primary=True).values_list("provider", flat=True)) == ["Metfone"]
    assert AuditEvent.objects.filter(action="infrastructure.link_create").count() == 2


def test_site_list_query_count_is_pinned(login, infrastructure_officer, units, django_assert_max_num_queries):
    for number in range(60):
        make_link(make_site(units["080101"], f"Office {number}"), contracted=number % 5)
    client = login(infrastructure_officer)
    client.get("/infrastructure/sites/")  # warm the session and the menu
    with django_assert_max_num_queries(12):
        response = client.get("/infrastructure/sites/?unit=08&page=2")
    assert response.status_code == 200


def test_every_page_renders_for_an_officer(login, infrastructure_officer, estate):
    client = login(infrastructure_officer)
    system = services.system_create(by=infrastructure_officer, data={"name": "Nokor", "lifecycle": "live"})
    link = estate["kandal"].links.get()
    for path in [
        "/infrastructure/sites/",
        "/infrastructure/sites/new/",
        "/infrastructure/sites/unconnected/",
        f"/infrastructure/sites/{estate['kandal'].pk}/",
        f"/infrastructure/sites/{estate['kandal'].pk}/edit/",
        f"/infrastructure/sites/{estate['kandal'].pk}/links/new/",
        f"/infrastructure/links/{link.pk}/edit/",
        "/infrastructure/assets/",
        f"/infrastructure/assets/{estate['kandal_laptop'].pk}/",
        f"/infrastructure/assets/{estate['kandal_laptop'].pk}/edit/",
        "/infrastructure/assets/import/",
        "/infrastructure/systems/",
        "/infrastructure/systems/new/",
        "/infrastructure/systems/completeness/",
        f"/infrastructure/systems/{system.pk}/",
        f"/infrastructure/systems/{system.pk}/edit/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
    menu = client.get("/infrastructure/sites/").content.decode()
    assert 'href="/infrastructure/assets/"' in menu and 'href="/infrastructure/systems/"' in menu


def test_unit_filter_is_a_range_of_codes_that_keeps_the_subtree_only(units):
    for code in ("08", "0801", "080199", "0809", "0819", "09", "19", "99", "9901"):
        Site.objects.filter(pk=make_site(units["08"], code).pk).update(unit_code=code)

    def codes(prefix):
        return sorted(Site.objects.filter(selectors.in_unit(prefix)).values_list("unit_code", flat=True))

    assert codes("08") == ["08", "0801", "080199", "0809", "0819"]
    assert codes("0801") == ["0801", "080199"]
    assert codes("0809") == ["0809"]
    assert codes("99") == ["99", "9901"]
    assert codes("19") == ["19"]
