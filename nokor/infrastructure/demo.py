"""Demo data of the infrastructure app (`seed_demo`): a handful of offices in Phnom Penh and Kandal with
their internet links (one commune office without usable internet), some assets (one past its end of
life), and six digital systems with dependencies, one of them incomplete in the registry. Idempotent:
offices are found by name, assets by serial, systems by name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nokor.accounts.models import User
from nokor.geography.models import AdministrativeUnit
from nokor.infrastructure.models import Asset, Connectivity, DigitalSystem, Site

# (unit code, kind, Khmer name, English name, links [(provider, type, contracted, measured)])
SITES = [
    ("12", "ministry", "នាយកដ្ឋានព័ត៌មានវិទ្យា", "Department of ICT", [("Telecom Cambodia", "fibre", 1000, 850)]),
    ("12", "provincial_hall", "សាលារាជធានីភ្នំពេញ", "Phnom Penh Capital Hall", [("Metfone", "fibre", 200, 180)]),
    ("08", "provincial_hall", "សាលាខេត្តកណ្តាល", "Kandal Provincial Hall", [("Cellcard", "fibre", 100, None)]),
    (
        "0801",
        "district_office",
        "សាលាស្រុកកណ្តាលស្ទឹង",
        "Kandal Stueng District Office",
        [("Smart", "4g", 20, 12)],
    ),
    ("080101", "commune_office", "សាលាឃុំអំពៅព្រៃ", "Ampov Prey Commune Office", [("Smart", "4g", 10, 1)]),
    ("080102", "commune_office", "សាលាឃុំអន្លង់រមៀត", "Anlong Romiet Commune Office", []),
    ("0801", "police_post", "ប៉ុស្តិ៍នគរបាលកណ្តាលស្ទឹង", "Kandal Stueng Police Post", [("Metfone", "dsl", 8, 6)]),
]
# (site English name, type, serial, model, status, years bought ago, life in years)
ASSETS = [
    ("Department of ICT", "server", "DEMO-SRV-001", "Dell PowerEdge R750", "in_use", 2, 6),
    ("Department of ICT", "switch", "DEMO-SW-001", "Cisco Catalyst 9300", "in_use", 3, 7),
    ("Department of ICT", "ups", "DEMO-UPS-001", "APC Smart-UPS 3000", "in_use", 6, 5),
    ("Phnom Penh Capital Hall", "desktop", "DEMO-PC-101", "HP ProDesk 400", "in_use", 4, 5),
    ("Kandal Provincial Hall", "laptop", "DEMO-LT-201", "Lenovo ThinkPad T14", "in_use", 1, 5),
    ("Kandal Provincial Hall", "printer", "DEMO-PR-201", "Canon imageRUNNER", "repair", 5, 6),
    ("Kandal Stueng District Office", "router", "DEMO-RT-301", "MikroTik hAP ac3", "in_use", 2, 5),
    ("Ampov Prey Commune Office", "desktop", "DEMO-PC-401", "Acer Veriton", "spare", 7, 5),
]


def _systems(today: dt.date) -> list[dict]:
    return [
        {
            "name": "Nokor",
            "purpose": "The ministry's digital platform: e-services, cyber reports, training, strategy.",
            "owner_department": "Department of ICT",
            "users": "both",
            "hosting": "gov_cloud",
            "url": "https://nokor.interior.gov.kh",
            "classification": "confidential",
            "holds_personal_data": True,
            "personal_data_categories": ["identity", "contact", "criminal"],
            "criticality": "critical",
            "lifecycle": "live",
            "is_public_facing": True,
            "last_security_review": today - dt.timedelta(days=90),
            "backups_tested_on": today - dt.timedelta(days=20),
        },
        {
            "name": "Ministry e-mail",
            "purpose": "E-mail of the ministry's staff.",
            "owner_department": "Department of ICT",
            "users": "staff",
            "hosting": "premises",
            "site": "Department of ICT",
            "classification": "internal",
            "holds_personal_data": True,
            "personal_data_categories": ["contact"],
            "criticality": "high",
            "lifecycle": "live",
            "last_security_review": today - dt.timedelta(days=200),
            "backups_tested_on": today - dt.timedelta(days=60),
        },
        {
            "name": "Identity provider (single sign-on)",
            "purpose": "Staff sign-in for the ministry's systems.",
            "owner_department": "Department of ICT",
            "users": "staff",
            "hosting": "gov_cloud",
            "classification": "confidential",
            "holds_personal_data": True,
            "personal_data_categories": ["identity", "contact"],
            "criticality": "critical",
            "lifecycle": "live",
            "last_security_review": today - dt.timedelta(days=420),  # overdue
            "backups_tested_on": today - dt.timedelta(days=100),
        },
        {
            "name": "HR management system",
            "purpose": "Staff records, positions and payroll data.",
            "owner_department": "Department of Personnel",
            "users": "staff",
            "hosting": "vendor",
            "classification": "confidential",
            "holds_personal_data": True,
            "personal_data_categories": ["identity", "employment", "financial"],
            "criticality": "high",
            "lifecycle": "live",
            "last_security_review": today - dt.timedelta(days=300),
            "backups_tested_on": None,  # incomplete: backups never tested
        },
        {
            "name": "Kandal provincial portal",
            "purpose": "News and notices of Kandal province.",
            "owner_department": "",  # incomplete: no owner yet
            "users": "public",
            "hosting": "vendor",
            "url": "https://kandal.gov.kh",
            "classification": "public",
            "criticality": "medium",
            "lifecycle": "live",
            "is_public_facing": True,
            "last_security_review": None,
        },
        {
            "name": "Civil registration archive (legacy)",
            "purpose": "Scanned civil registration books before digitisation.",
            "owner_department": "General Department of Identification",
            "users": "staff",
            "hosting": "premises",
            "site": "Department of ICT",
            "classification": "confidential",
            "holds_personal_data": True,
            "personal_data_categories": ["identity", "children"],
            "criticality": "medium",
            "lifecycle": "retiring",
            "last_security_review": today - dt.timedelta(days=150),
            "backups_tested_on": today - dt.timedelta(days=150),
        },
    ]


DEPENDENCIES = {
    "Nokor": ["Identity provider (single sign-on)", "Ministry e-mail"],
    "HR management system": ["Identity provider (single sign-on)"],
    "Kandal provincial portal": [],
}


@transaction.atomic
def seed() -> None:
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in={code for code, *_ in SITES})}
    sites: dict[str, Site] = {}
    for code, kind, name_km, name_en, links in SITES:
        unit = units.get(code) or units.get(code[:4]) or units.get(code[:2])
        if unit is None:
            continue
        site, created = Site.objects.get_or_create(
            name_en=name_en, defaults={"name_km": name_km, "kind": kind, "unit": unit, "unit_code": unit.code}
        )
        sites[name_en] = site
        if created:
            for provider, link_type, contracted, measured in links:
                Connectivity.objects.create(
                    site=site,
                    provider=provider,
                    link_type=link_type,
                    contracted_mbps=Decimal(contracted),
                    measured_mbps=Decimal(measured) if measured is not None else None,
                    measured_at=timezone.now() - dt.timedelta(days=10) if measured is not None else None,
                    monthly_cost=Decimal(contracted) * 2,
                    currency="USD",
                    contract_end=timezone.localdate() + dt.timedelta(days=200),
                )
    today = timezone.localdate()
    for site_name, asset_type, serial, model, status, age, life in ASSETS:
        site = sites.get(site_name)
        if site is None:
            continue
        bought = today - dt.timedelta(days=365 * age)
        Asset.objects.get_or_create(
            asset_type=asset_type,
            serial=serial,
            defaults={
                "model": model,
                "status": status,
                "site": site,
                "unit_id": site.unit_id,
                "unit_code": site.unit_code,
                "purchase_date": bought,
                "end_of_life": bought + dt.timedelta(days=365 * life),
                "warranty_end": bought + dt.timedelta(days=365 * 3),
            },
        )
    accountable = User.objects.filter(email="infra@demo.nokor.gov.kh").first()
    systems: dict[str, DigitalSystem] = {}
    for entry in _systems(today):
        entry = dict(entry)
        site_name = entry.pop("site", None)
        defaults = {
            **entry,
            "hosting_site": sites.get(site_name) if site_name else None,
            "accountable_person": accountable if entry["name"] != "Kandal provincial portal" else None,
        }
        name = defaults.pop("name")
        systems[name], _ = DigitalSystem.objects.get_or_create(name=name, defaults=defaults)
    for name, needs in DEPENDENCIES.items():
        if not systems[name].dependencies.exists():
            systems[name].dependencies.set([systems[other] for other in needs])
