"""The public status page and its JSON feed; the staff dashboards' access and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from nokor.infrastructure import monitoring
from nokor.infrastructure.models import Incident, IncidentUpdate, Monitor, Rollup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _public_monitors(count: int) -> list[Monitor]:
    now = timezone.now()
    monitors = []
    for n in range(count):
        monitor = Monitor.objects.create(
            name=f"internal name {n}",
            target=f"https://service{n}.example.invalid/",
            is_public=True,
            public_name_km=f"សេវា {n}",
            public_name_en=f"Service {n}",
            last_state=Monitor.State.UP,
            last_checked_at=now,
        )
        Rollup.objects.bulk_create(
            Rollup(
                monitor=monitor,
                period=Rollup.Period.DAY,
                start=timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
                - dt.timedelta(days=day),
                checks=1440,
                up=1440 - day % 3,
            )
            for day in range(90)
        )
        monitors.append(monitor)
    return monitors


@pytest.fixture
def incident():
    monitor = _public_monitors(1)[0]
    monitor.last_state = Monitor.State.DOWN
    monitor.save()
    incident = Incident.objects.create(monitor=monitor, started_at=timezone.now(), is_public=True)
    IncidentUpdate.objects.create(incident=incident, text_km="កំពុងជួសជុល", text_en="We are repairing it.")
    Monitor.objects.create(name="private", target="https://intranet.invalid/", is_public=False)
    return incident


def test_anonymous_sees_the_open_incident_and_its_update(client, incident):
    response = client.get(reverse("infrastructure:status"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Service 0" in page
    assert "Current problems" in page or "បញ្ហា" in page
    assert "កំពុងជួសជុល" in page or "We are repairing it." in page
    assert "intranet" not in page and "internal name" not in page
    assert page.count('<li class="uptime-bar uptime-bar--') == 90  # one bar per day…
    day = timezone.localdate().isoformat()
    assert f'<span class="visually-hidden">{day}: 100.0% working</span>' in page  # …each with its words
    assert "private" in response["Cache-Control"]


def test_status_json_has_the_same_figures(client, incident):
    data = client.get(reverse("infrastructure:status_json")).json()
    assert [s["name"] for s in data["services"]] == [{"km": "សេវា 0", "en": "Service 0"}]
    service = data["services"][0]
    assert service["state"] == "down"
    assert len(service["days"]) == 90
    assert data["incidents"][0]["resolved_at"] is None
    assert data["incidents"][0]["updates"][0]["text"] == {"km": "កំពុងជួសជុល", "en": "We are repairing it."}


def test_a_closed_incident_shows_the_service_working_again(client, incident):
    monitoring.incident_close(incident=incident, notify_owner=False)
    Monitor.objects.filter(pk=incident.monitor_id).update(last_state=Monitor.State.UP)
    cache.clear()
    data = client.get(reverse("infrastructure:status_json")).json()
    assert data["services"][0]["state"] == "up"
    assert data["incidents"][0]["resolved_at"] is not None


def test_status_page_query_count_does_not_grow_with_monitors(client, django_assert_max_num_queries):
    _public_monitors(30)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("infrastructure:status")).status_code == 200
    with django_assert_max_num_queries(4):  # cached
        assert client.get(reverse("infrastructure:status_json")).status_code == 200
    with django_assert_max_num_queries(0):  # the rendered sections are cached too
        again = client.get(reverse("infrastructure:status"))
    assert again.content.decode().count('<li class="uptime-bar uptime-bar--') == 30 * 90


@pytest.mark.parametrize(
    "name", ["infrastructure:monitors", "infrastructure:risks", "infrastructure:monitor_create"]
)
def test_dashboards_are_for_infrastructure_staff_only(client, login, citizen, investigator, name):
    url = reverse(name)
    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert login(citizen).get(url).status_code == 403
    assert login(investigator).get(url).status_code == 403


def test_monitors_dashboard_query_count_is_pinned(
    login, infrastructure_officer, django_assert_max_num_queries
):
    Monitor.objects.bulk_create(
        Monitor(
            name=f"m{n:04}",
            target="https://x.invalid/",
            last_state=Monitor.State.DOWN if n % 7 == 0 else "up",
        )
        for n in range(300)
    )
    client = login(infrastructure_officer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("infrastructure:monitors"))
    assert response.status_code == 200
    assert "m0000" in response.content.decode()  # down first


def test_monitor_created_with_one_click_from_a_system(login, infrastructure_officer, auditor):
    from nokor.infrastructure.models import DigitalSystem

    system = DigitalSystem.objects.create(
        name="Portal", url="https://portal.example.invalid/", is_public_facing=True
    )
    url = reverse("infrastructure:monitor_create_for_system", args=[system.pk])
    assert login(infrastructure_officer).get(url).status_code == 405
    assert login(auditor).post(url).status_code == 403
    response = login(infrastructure_officer).post(url)
    monitor = Monitor.objects.get(system=system)
    assert response.status_code == 302 and response["Location"].endswith(f"/monitors/{monitor.pk}/")
    assert monitor.target == system.url and monitor.is_public


def test_monitor_form_keeps_what_was_typed_on_error(login, infrastructure_officer):
    response = login(infrastructure_officer).post(
        reverse("infrastructure:monitor_create"),
        {
            "name": "Mail",
            "kind": "tcp",
            "target": "mail.example.gov.kh",
            "interval_seconds": 60,
            "timeout_seconds": 10,
            "failure_threshold": 3,
            "success_threshold": 2,
            "tls_warning_days": 21,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'value="mail.example.gov.kh"' in page
    assert not Monitor.objects.exists()


def test_staff_post_an_incident_update_shown_publicly(client, login, infrastructure_officer, incident):
    url = reverse("infrastructure:incident_update", args=[incident.pk])
    response = login(infrastructure_officer).post(url, {"text_km": "បានជួសជុលរួច", "text_en": "Fixed."})
    assert response.status_code == 302
    assert incident.updates.count() == 2
    client.logout()
    assert "បានជួសជុលរួច" in client.get(reverse("infrastructure:status")).content.decode()
    bad = login(infrastructure_officer).post(url, {"text_km": "", "text_en": "Only English"})
    assert bad.status_code == 400 and "Only English" in bad.content.decode()


def test_monitor_page_and_edit(login, infrastructure_officer, incident):
    client = login(infrastructure_officer)
    monitor = incident.monitor
    page = client.get(reverse("infrastructure:monitor_detail", args=[monitor.pk]))
    assert page.status_code == 200 and "កំពុងជួសជុល" in page.content.decode()
    assert client.get(reverse("infrastructure:monitor_edit", args=[monitor.pk])).status_code == 200
    data = {
        "name": "Renamed",
        "kind": "http",
        "target": monitor.target,
        "interval_seconds": 120,
        "timeout_seconds": 5,
        "failure_threshold": 3,
        "success_threshold": 2,
        "tls_warning_days": 21,
        "is_public": "on",
        "public_name_km": "សេវា",
        "is_active": "on",
        "lock_version": monitor.lock_version,
    }
    assert client.post(reverse("infrastructure:monitor_edit", args=[monitor.pk]), data).status_code == 302
    monitor.refresh_from_db()
    assert (monitor.name, monitor.interval_seconds, monitor.lock_version) == ("Renamed", 120, 1)
    stale = client.post(reverse("infrastructure:monitor_edit", args=[monitor.pk]), {**data, "name": "Again"})
    assert stale.status_code == 200 and 'class="error-summary"' in stale.content.decode()
    maintenance = client.post(
        reverse("infrastructure:maintenance_create", args=[monitor.pk]),
        {"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T07:00", "reason": "Upgrade"},
    )
    assert maintenance.status_code == 400 and 'value="Upgrade"' in maintenance.content.decode()


def test_system_page_offers_the_one_click_monitor(login, infrastructure_officer):
    from nokor.infrastructure.models import DigitalSystem

    system = DigitalSystem.objects.create(name="Portal", url="https://portal.example.invalid/")
    page = login(infrastructure_officer).get(reverse("infrastructure:system_detail", args=[system.pk]))
    assert reverse("infrastructure:monitor_create_for_system", args=[system.pk]) in page.content.decode()
