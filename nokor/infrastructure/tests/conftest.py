"""Fixtures of the infrastructure tests: provincial infrastructure officers (the shared persona is
nationwide) and a small set of offices, links and assets in Kandal (08) and Phnom Penh (12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nokor.accounts import demo
from nokor.accounts.roles import Role
from nokor.infrastructure.models import Asset, Connectivity, Site


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads (asset imports) go to a folder of the test, never to the real media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def infra_officer_kandal(units):
    person = demo.DemoPerson(
        "infra_kandal",
        "infra.kandal@demo.nokor.gov.kh",
        "Kandal infrastructure",
        Role.INFRASTRUCTURE_OFFICER,
        "08",
    )
    return demo.create_staff(person)


@pytest.fixture
def infra_officer_phnom_penh(units):
    person = demo.DemoPerson(
        "infra_pp",
        "infra.pp@demo.nokor.gov.kh",
        "Phnom Penh infrastructure",
        Role.INFRASTRUCTURE_OFFICER,
        "12",
    )
    return demo.create_staff(person)


def make_site(unit, name="Office", kind=Site.Kind.COMMUNE_OFFICE, **extra) -> Site:
    return Site.objects.create(name_km=name, name_en=name, kind=kind, unit=unit, unit_code=unit.code, **extra)


def make_link(site, link_type=Connectivity.LinkType.FIBRE, contracted=None, measured=None) -> Connectivity:
    return Connectivity.objects.create(
        site=site,
        link_type=link_type,
        contracted_mbps=Decimal(str(contracted)) if contracted is not None else None,
        measured_mbps=Decimal(str(measured)) if measured is not None else None,
    )


def make_asset(site, serial, asset_type=Asset.Type.LAPTOP, **extra) -> Asset:
    return Asset.objects.create(
        site=site, unit=site.unit, unit_code=site.unit_code, asset_type=asset_type, serial=serial, **extra
    )


@pytest.fixture
def estate(units):
    """Two commune offices in Kandal (one connected), one district office in Phnom Penh, their assets."""
    kandal = make_site(units["080101"], "Ampov Prey commune office")
    make_link(kandal, contracted=10)
    kandal_bare = make_site(units["0801"], "Kandal Stueng district office", kind=Site.Kind.DISTRICT_OFFICE)
    phnom_penh = make_site(units["12"], "Phnom Penh hall", kind=Site.Kind.PROVINCIAL_HALL)
    make_link(phnom_penh, contracted=100, measured=80)
    return {
        "kandal": kandal,
        "kandal_bare": kandal_bare,
        "phnom_penh": phnom_penh,
        "kandal_laptop": make_asset(kandal, "K-1", end_of_life=dt.date(2020, 1, 1)),
        "pp_laptop": make_asset(phnom_penh, "P-1"),
    }
