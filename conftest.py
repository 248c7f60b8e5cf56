"""Shared test fixtures: the named personas every app's tests use (CONVENTIONS.md, "Tests").

citizen / other_citizen; officer_kandal, supervisor_kandal (Kandal province, 08); officer_siem_reap (17);
investigator (Phnom Penh, 12); investigator_kandal (08); sensitive_investigator (12, cleared for
intimate images); cyber_supervisor, trainer, infrastructure_officer, approver, auditor,
administrator (nationwide); focal_point (Kandal); anonymous. Staff personas have changed their first
password and enrolled TOTP, so they reach staff pages; `new_staff` has done neither.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from nokor.accounts import demo
from nokor.geography.models import AdministrativeUnit, Level

# A small slice of the real tree, enough for scope tests: two provinces with their first descendants.
_UNITS = [
    ("08", Level.PROVINCE, None, "កណ្តាល", "Kandal"),
    ("0801", Level.DISTRICT, "08", "កណ្តាលស្ទឹង", "Kandal Stueng"),
    ("080101", Level.COMMUNE, "0801", "អំពៅព្រៃ", "Ampov Prey"),
    ("08010101", Level.VILLAGE, "080101", "ត្រពាំងពោធិ៍", "Trapeang Pou"),
    ("12", Level.PROVINCE, None, "ភ្នំពេញ", "Phnom Penh"),
    ("17", Level.PROVINCE, None, "សៀមរាប", "Siem Reap"),
    ("1701", Level.DISTRICT, "17", "អង្គរជុំ", "Angkor Chum"),
]


@pytest.fixture
def units(db):
    """The small tree above, keyed by code (tests that need the whole gazetteer load it themselves)."""
    created = {}
    for code, level, parent, km, latin in _UNITS:
        created[code] = AdministrativeUnit.objects.create(
            code=code,
            level=level,
            parent=created.get(parent),
            name_km=km,
            name_latin=latin,
            search_name=AdministrativeUnit.make_search_name(km, latin),
        )
    return created


def _person(key: str):
    for person in demo.CITIZENS + demo.STAFF:
        if person.key == key:
            return person
    raise KeyError(key)


@pytest.fixture
def make_persona(units):
    cache = {}

    def make(key: str):
        if key not in cache:
            person = _person(key)
            cache[key] = demo.create_staff(person) if person.role else demo.create_citizen(person)
        return cache[key]

    return make


def _fixture(key):
    @pytest.fixture(name=key)
    def persona(make_persona):
        return make_persona(key)

    return persona


for _key in [p.key for p in demo.CITIZENS + demo.STAFF]:
    globals()[f"persona_{_key}"] = _fixture(_key)


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def new_staff(units):
    """A staff member just created by an administrator: first password not changed, no TOTP yet."""
    person = demo.DemoPerson("new_staff", "new.staff@demo.nokor.gov.kh", "New staff", "service_officer", "08")
    return demo.create_staff(person, ready=False)


@pytest.fixture
def login(client):
    """Sign a persona in on the test client, past the second factor (as allauth would after TOTP)."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Exact scam-check search counts (a test that wants the buffer makes its own SearchCounter).
    settings.CYBER_SEARCH_COUNT_FLUSH_SECONDS = 0
    # Nothing cached by one test (a person's roles, counters…) is seen by the next, whose rows may reuse ids.
    cache.clear()
