"""The partner pages: administrators only; an organisation, a key shown once, its revocation, webhooks,
the delivery log and a re-send; bad input re-rendered with its errors and what was typed."""

import pytest
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.integrations import services
from nokor.integrations.models import ApiKey, Delivery, Organisation, Subscription


@pytest.fixture
def admin_client(login, administrator):
    return login(administrator)


def test_an_administrator_adds_an_organisation(admin_client, administrator):
    response = admin_client.post(
        "/partners/new/",
        {"name_km": "ធនាគារ", "name_en": "A bank", "kind": "bank", "contact_email": "it@bank.kh"},
    )
    organisation = Organisation.objects.get()
    assert response.status_code == 302 and response.url == f"/partners/{organisation.pk}/"
    assert organisation.service_account.has_usable_password() is False
    assert AuditEvent.objects.filter(action="integrations.organisation_create", actor=administrator).exists()


def test_a_bad_organisation_is_re_rendered_with_what_was_typed(admin_client):
    response = admin_client.post("/partners/new/", {"name_en": "A bank typed", "kind": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "error-summary" in page and "A bank typed" in page
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("persona", ["officer_kandal", "auditor", "citizen"])
def test_other_people_cannot_open_the_partner_pages(login, make_persona, persona):
    response = login(make_persona(persona)).get("/partners/")
    assert response.status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, db):
    assert client.get("/partners/").status_code == 302


def test_the_list_shows_the_organisations(admin_client, bank, make_key, django_assert_max_num_queries):
    make_key("scam-check:read")
    with django_assert_max_num_queries(12):
        page = admin_client.get("/partners/").content.decode()
    assert "ធនាគារ" in page


def test_a_new_key_is_shown_once_then_listed_without_its_secret(admin_client, bank):
    response = admin_client.post(
        f"/partners/{bank.pk}/keys/new/",
        {"label": "Fraud desk", "scopes": ["scam-check:read"], "expires_on": "", "rate_limit": "600"},
    )
    key = ApiKey.objects.get()
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    token = page.split(f"nk_{key.prefix}_", 1)[1].split('"', 1)[0]
    assert len(token) > 30
    detail = admin_client.get(f"/partners/{bank.pk}/").content.decode()
    assert f"nk_{key.prefix}_" in detail and token not in detail and "scam-check:read" in detail


def test_a_key_needs_a_scope_and_a_future_expiry(admin_client, bank):
    response = admin_client.post(
        f"/partners/{bank.pk}/keys/new/",
        {"label": "Fraud desk typed", "scopes": [], "expires_on": "2000-01-01", "rate_limit": "600"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "Choose at least one scope." in page and "Choose a day after today." in page
    assert "Fraud desk typed" in page and not ApiKey.objects.exists()


def test_revoking_a_key_is_a_post(admin_client, bank, make_key):
    make_key("scam-check:read")
    key = ApiKey.objects.get()
    assert admin_client.get(f"/partners/keys/{key.pk}/revoke/").status_code == 405
    response = admin_client.post(f"/partners/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert response.status_code == 302 and key.revoked_at is not None


def test_a_missing_key_is_404(admin_client, db):
    assert admin_client.post("/partners/keys/999/revoke/").status_code == 404


def test_a_webhook_to_a_private_address_is_refused_with_the_address_kept(admin_client, bank, settings):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = False
    response = admin_client.post(
        f"/partners/{bank.pk}/webhooks/new/",
        {"url": "http://192.168.1.20/hooks", "events": ["document.revoked"]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "private or local network" in page and "http://192.168.1.20/hooks" in page
    assert not Subscription.objects.exists()


def test_a_webhook_is_created_with_its_secret_shown_once(admin_client, bank, settings):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
    response = admin_client.post(
        f"/partners/{bank.pk}/webhooks/new/",
        {"url": "https://127.0.0.1:9/hooks", "events": ["document.revoked"]},
    )
    subscription = Subscription.objects.get()
    assert subscription.secret in response.content.decode()
    assert subscription.secret not in admin_client.get(f"/partners/{bank.pk}/").content.decode()
    assert admin_client.post(f"/partners/webhooks/{subscription.pk}/deactivate/").status_code == 302
    subscription.refresh_from_db()
    assert not subscription.active


def test_the_delivery_log_shows_codes_and_a_failed_delivery_is_sent_again(
    admin_client, administrator, bank, settings
):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
    subscription, _secret = services.subscription_create(
        by=administrator, organisation=bank, url="https://127.0.0.1:9/hooks", events=["document.revoked"]
    )
    delivery = Delivery.objects.create(
        subscription=subscription,
        event="document.revoked",
        payload={"type": "document.revoked"},
        status=Delivery.Status.FAILED,
        attempts=12,
        last_status_code=503,
        retry_until="2026-01-01T00:00:00Z",
    )
    log = admin_client.get(f"/partners/{bank.pk}/deliveries/").content.decode()
    assert "503" in log and "document.revoked" in log
    assert admin_client.get(f"/partners/deliveries/{delivery.pk}/").status_code == 200
    response = admin_client.post(f"/partners/deliveries/{delivery.pk}/resend/")
    delivery.refresh_from_db()
    assert (
        response.status_code == 302 and delivery.status == Delivery.Status.PENDING and delivery.attempts == 0
    )
    assert AuditEvent.objects.filter(action="integrations.delivery_resend").exists()


def test_the_menu_offers_the_partner_pages_to_administrators_only(login, administrator, officer_kandal):
    assert "/partners/" in login(administrator).get("/partners/").content.decode()
    assert 'href="/partners/"' not in login(officer_kandal).get("/services/queue/").content.decode()


def test_the_state_changing_pages_refuse_get(admin_client, bank, administrator, settings):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
    subscription, _secret = services.subscription_create(
        by=administrator, organisation=bank, url="https://127.0.0.1:9/hooks", events=["document.revoked"]
    )
    assert admin_client.get(f"/partners/webhooks/{subscription.pk}/deactivate/").status_code == 405
    delivery = Delivery.objects.create(
        subscription=subscription, event="document.revoked", payload={}, retry_until="2026-01-01T00:00:00Z"
    )
    assert admin_client.get(f"/partners/deliveries/{delivery.pk}/resend/").status_code == 405


def test_an_auditor_cannot_revoke_a_key(login, auditor, make_key):
    make_key("scam-check:read")
    key = ApiKey.objects.get()
    assert login(auditor).post(f"/partners/keys/{key.pk}/revoke/").status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None


def test_the_organisation_page_reads_a_fixed_number_of_queries(
    admin_client, bank, make_key, administrator, settings, django_assert_max_num_queries
):
    settings.INTEGRATIONS_WEBHOOK_ALLOW_PRIVATE = True
    for _ in range(3):
        make_key("scam-check:read", "documents:verify")
        subscription, _secret = services.subscription_create(
            by=administrator, organisation=bank, url="https://127.0.0.1:9/hooks", events=["document.revoked"]
        )
        Delivery.objects.create(
            subscription=subscription, event="document.revoked", payload={}, retry_until=timezone.now()
        )
    admin_client.get(f"/partners/{bank.pk}/")
    with django_assert_max_num_queries(6):
        page = admin_client.get(f"/partners/{bank.pk}/").content.decode()
    assert page.count("documents:verify") == 3
    with django_assert_max_num_queries(5):
        log = admin_client.get(f"/partners/{bank.pk}/deliveries/").content.decode()
    assert log.count("https://127.0.0.1:9/hooks") == 3
