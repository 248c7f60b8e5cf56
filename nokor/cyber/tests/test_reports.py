"""Reporting a cybercrime: the step-by-step pages (anonymous and signed in, for oneself or someone else),
the one-page attempt, identifiers normalised and malformed ones kept, evidence files checked one by
one, the status check with the tracking code, adding information later, priority, notifications,
personal data, reference data and demo data."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from nokor.audit.models import AuditEvent
from nokor.cyber import reference_data, reports
from nokor.cyber.models import AllowListEntry, Category, EvidenceFile, Institution, Report, Sighting, Transfer
from nokor.notifications.models import Message
from nokor.services.reference import luhn_digit

START = "/cyber/report/"
STEP = "/cyber/report/new/{}/"
CHECK = "/cyber/report/check/"
SENT = "/cyber/report/sent/"
STATUS = "/cyber/report/status/"


@pytest.fixture(autouse=True)
def _reference_data(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the rate limits count in the cache
    reference_data.load()


@pytest.fixture
def english(client):
    client.cookies["nokor_language"] = "en"
    return client


def png(name="chat.png", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def shown(text: str) -> str:
    """References and codes are shown with non-breaking hyphens (they never wrap on a phone)."""
    return text.replace("-", "\u2011")


def a_few_days_ago(days=5) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).strftime("%d/%m/%Y")


def management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def rows(prefix: str, items: list[dict[str, str]]) -> dict[str, str]:
    data = management(prefix, len(items))
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def post_ok(client, url, data, expected_next=None):
    response = client.post(url, data)
    assert response.status_code == 302, getattr(response, "context", {}) and response.context.get("form")
    if expected_next:
        assert response.url == expected_next
    return response


def walk_to_check(
    client, *, who=None, category="online-fraud", lost_money=True, identifiers=None, files=(), contact=None
):
    """Answer every page (the shortest valid answers unless given)."""
    post_ok(client, STEP.format("who"), who or {"who": "me"}, STEP.format("category"))
    post_ok(client, STEP.format("category"), {"category": category}, STEP.format("channel"))
    post_ok(
        client, STEP.format("channel"), {"channel": "telegram", "ongoing_contact": "no"}, STEP.format("when")
    )
    post_ok(client, STEP.format("when"), {"incident_date": a_few_days_ago()}, STEP.format("money"))
    if lost_money:
        post_ok(client, STEP.format("money"), {"lost_money": "yes"}, STEP.format("transfers"))
        post_ok(
            client,
            STEP.format("transfers"),
            rows(
                "transfers",
                [{"amount": "150", "currency": "USD", "institution": "ABA", "to_account": "000 123 456"}],
            ),
            STEP.format("identifiers"),
        )
    else:
        post_ok(client, STEP.format("money"), {"lost_money": "no"}, STEP.format("identifiers"))
    post_ok(
        client,
        STEP.format("identifiers"),
        rows("identifiers", identifiers or [{"text": "012 345 678", "kind": ""}]),
        STEP.format("description"),
    )
    post_ok(client, STEP.format("description"), {"description": "They promised profits on a crypto site."})
    post_ok(client, STEP.format("evidence"), {"files": list(files)} if files else {}, STEP.format("where"))
    post_ok(client, STEP.format("where"), {"unit": "", "unit_q": ""}, STEP.format("contact"))
    post_ok(
        client,
        STEP.format("contact"),
        contact or {"contact_email": "", "contact_phone": "", "consent": "no"},
        CHECK,
    )


def submit(client) -> Report:
    response = client.post(CHECK)
    assert response.status_code == 302 and response.url == SENT, response.content.decode()[:2000]
    return Report.objects.order_by("-created_at").first()


# --------------------------------------------------------------------------------------------------
# Journeys
# --------------------------------------------------------------------------------------------------
def test_anonymous_reporter_reports_page_by_page(english, settings):
    client = english
    assert client.get(START).status_code == 200
    post_ok(client, STEP.format("who"), {"who": "me", "vulnerable_victim": "on"}, STEP.format("category"))
    post_ok(client, STEP.format("category"), {"category": "online-fraud"}, STEP.format("channel"))
    post_ok(
        client, STEP.format("channel"), {"channel": "telegram", "ongoing_contact": "yes"}, STEP.format("when")
    )
    post_ok(client, STEP.format("when"), {"incident_date": a_few_days_ago()}, STEP.format("money"))
    post_ok(client, STEP.format("money"), {"lost_money": "yes"}, STEP.format("transfers"))
    # "Add another payment" without JavaScript: the list comes back with one more row, the first kept.
    first = {
        "amount": "1,200.50",
        "currency": "USD",
        "institution": "ABA",
        "to_account": "000 123 456",
        "transaction_id": "FT123",
        "paid_on": a_few_days_ago(4),
    }
    response = client.post(STEP.format("transfers"), {**rows("transfers", [first]), "add": "1"})
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert 'value="FT123"' in response.content.decode()
    second = {
        "amount": "៤០០០០០",
        "currency": "KHR",
        "institution": "other",
        "institution_text": "Some wallet",
    }
    post_ok(client, STEP.format("transfers"), rows("transfers", [first, second]), STEP.format("identifiers"))
    # Two identifiers written differently for the same phone, and a link.
    identifiers = [
        {"text": "012 345 678", "kind": ""},
        {"text": "+855 (0)12-345-678", "kind": "phone"},
        {"text": "hxxps://kh-crypto-profit[.]com/invest", "kind": ""},
    ]
    post_ok(client, STEP.format("identifiers"), rows("identifiers", identifiers), STEP.format("description"))
    post_ok(
        client,
        STEP.format("description"),
        {"description": "They promised 30% a week."},
        STEP.format("evidence"),
    )
    post_ok(client, STEP.format("evidence"), {"files": [png("chat.png")]}, STEP.format("where"))
    post_ok(client, STEP.format("where"), {"unit": "", "unit_q": ""}, STEP.format("contact"))
    post_ok(
        client,
        STEP.format("contact"),
        {"contact_email": "Victim@Example.com", "contact_phone": "", "consent": "yes"},
        CHECK,
    )
    check = client.get(CHECK).content.decode()
    assert "They promised 30% a week." in check and "chat.png" in check and "$1,200.50" in check
    draft_file = client.session["cyber_report_draft"]["evidence"][0]["path"]

    report = submit(client)

    assert report.reporter is None and report.category.slug == "online-fraud"
    assert report.reference.startswith(f"CY-{timezone.localdate().year}-") and report.number >= 1
    assert reports.normalize_reference(report.reference) == report.reference
    assert report.loss_usd_cents == 120050 and report.loss_khr == 400000
    assert report.contact_email == "victim@example.com" and report.consent
    assert report.ongoing_contact and report.vulnerable_victim and not report.attempt_only
    assert Transfer.objects.filter(report=report).count() == 2
    sightings = set(report.sightings.values_list("kind", "value"))
    assert sightings == {
        ("phone", "+85512345678"),
        ("url", "https://kh-crypto-profit.com/invest"),
        ("bank_account", "ABA:000123456"),  # the account paid to is an identifier too
    }
    evidence = report.evidence.get()
    assert evidence.original_name == "chat.png" and evidence.content_type == "image/png"
    with evidence.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == evidence.sha256
    assert not evidence.sensitive and "chat" not in evidence.file.name  # stored under a random name
    # priority: $1,300 lost (+3), still in contact (+2), vulnerable (+2) → urgent, first look in 24 h
    assert report.priority == 7
    assert report.sla_due - report.created_at < dt.timedelta(hours=24, minutes=1)
    assert AuditEvent.objects.filter(action="cyber.report_submit", object_id=str(report.pk)).exists()
    assert AuditEvent.objects.filter(action="cyber.evidence_add", object_id=str(evidence.pk)).exists()
    email = Message.objects.get(to="victim@example.com")
    assert report.reference in email.subject and "Call your bank" in email.body
    # The draft and its file are gone; the confirmation shows the reference and the tracking code once.
    assert "cyber_report_draft" not in client.session
    from django.core.files.storage import default_storage

    assert not default_storage.exists(draft_file)
    page = client.get(SENT)
    body = page.content.decode()
    code = page.context["tracking_code"]
    assert (
        shown(report.reference) in body
        and shown(code) in body
        and re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    )
    assert "does not guarantee an investigation" in body and "freeze the payment" in body
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert code.replace("-", "") not in report.tracking_code_hash
    again = client.get(SENT)  # shown once: a refresh shows the reference only
    assert again.context["tracking_code"] == "" and shown(code) not in again.content.decode()
    assert shown(report.reference) in again.content.decode()
    assert reports.tracking_code_matches(report.tracking_code_hash, code.lower().replace("-", " "))


def test_every_reporting_page_declares_its_access_rule():
    from nokor.core.access import view_rule_of
    from nokor.cyber.urls_report import report_urlpatterns

    assert all(view_rule_of(pattern.callback) is not None for pattern in report_urlpatterns)


def test_the_start_page_is_in_khmer_by_default(client):
    body = client.get(START).content.decode()
    assert '<html lang="km">' in body and "ចាប់ផ្តើមឥឡូវនេះ" in body  # "Start now"


def test_signed_in_citizen_reports_and_finds_it_in_their_account(login, citizen, other_citizen):
    client = login(citizen)
    client.cookies["nokor_language"] = "en"
    walk_to_check(client, contact={"contact_email": "", "contact_phone": "012 999 888", "consent": "yes"})
    report = submit(client)
    assert report.reporter == citizen and report.contact_phone == "+85512999888"
    inbox = Message.objects.filter(user=citizen, event="cyber.report_received")
    assert inbox.filter(channel="inbox").exists()
    mine = client.get("/cyber/report/mine/")
    assert shown(report.reference) in mine.content.decode()
    detail = client.get(f"/cyber/report/mine/{report.reference}/")
    assert detail.status_code == 200 and "They promised profits" in detail.content.decode()
    # Another citizen: not in their list, and 404 on the page.
    other = login(other_citizen)
    assert shown(report.reference) not in other.get("/cyber/report/mine/").content.decode()
    assert other.get(f"/cyber/report/mine/{report.reference}/").status_code == 404
    assert other.get(f"/cyber/report/status/{report.reference}/add/").status_code == 404


def test_investigator_sees_only_their_own_reports_in_the_account_list(login, citizen, investigator):
    reports.report_submit(by=citizen, category="phishing", description="A fake bank page")
    mine = login(investigator).get("/cyber/report/mine/")
    assert mine.status_code == 200 and not mine.context["page_obj"].object_list


def test_my_reports_need_an_account(client):
    response = client.get("/cyber/report/mine/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_reporting_for_someone_else_needs_their_name_and_keeps_the_answer(english):
    response = english.post(STEP.format("who"), {"who": "someone", "trafficking_flag": "on"})
    assert response.status_code == 200 and response.context["form"].errors["on_behalf_of"]
    body = response.content.decode()
    assert "error-summary" in body and "<title>Error:" in body
    assert re.search(r'value="someone"[^>]*checked', body) and re.search(
        r'name="trafficking_flag"[^>]*checked', body
    )
    walk_to_check(
        english, who={"who": "someone", "on_behalf_of": "Chan Dara, my father", "trafficking_flag": "on"}
    )
    report = submit(english)
    assert report.on_behalf_of == "Chan Dara, my father" and report.trafficking_flag
    assert reports.priority_band(report.priority) == reports.URGENT


def test_an_empty_radio_page_shows_an_error(english):
    response = english.post(STEP.format("category"), {})
    assert response.status_code == 200 and response.context["form"].errors["category"]


def test_a_bad_date_is_shown_with_what_was_typed(english):
    response = english.post(STEP.format("when"), {"incident_date": "31/02/2026"})
    assert response.status_code == 200 and 'value="31/02/2026"' in response.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    assert english.post(STEP.format("when"), {"incident_date": future}).context["form"].errors


def test_a_payment_without_an_amount_is_refused_with_the_row_kept(english):
    english.post(STEP.format("money"), {"lost_money": "yes"})
    response = english.post(
        STEP.format("transfers"), rows("transfers", [{"currency": "USD", "to_account": "012 777 888"}])
    )
    assert response.status_code == 200 and response.context["error_items"]
    assert 'value="012 777 888"' in response.content.decode()


def test_removing_a_payment_keeps_the_others(english):
    english.post(STEP.format("money"), {"lost_money": "yes"})
    items = [{"amount": "10", "currency": "USD"}, {"amount": "20", "currency": "USD"}]
    response = english.post(STEP.format("transfers"), {**rows("transfers", items), "remove": "0"})
    assert response.status_code == 200 and len(response.context["formset"].forms) == 1
    assert english.session["cyber_report_draft"]["transfers"] == [
        {
            "institution": "",
            "institution_text": "",
            "to_account": "",
            "transaction_id": "",
            "paid_on": "",
            "amount": "20",
            "currency": "USD",
        }
    ]


def test_changing_an_answer_comes_back_to_the_check_page(english):
    walk_to_check(english, lost_money=False)
    response = english.post(STEP.format("description") + "?change=1", {"description": "Changed."})
    assert response.url == CHECK
    # Saying now that money was lost asks for the payments before coming back.
    response = english.post(STEP.format("money") + "?change=1", {"lost_money": "yes"})
    assert response.url == STEP.format("transfers") + "?change=1"


def test_check_page_lists_what_is_missing_and_refuses_to_send(english):
    english.post(STEP.format("who"), {"who": "me"})
    response = english.get(CHECK)
    assert [step for step, _label, _url in response.context["missing"]] == [
        "category",
        "description",
        "contact",
    ]
    assert english.post(CHECK).status_code == 200 and not Report.objects.exists()


def test_check_page_without_a_draft_goes_to_the_start(client):
    assert client.get(CHECK).url == START


def test_abandoned_draft_files_are_purged(english):
    from django.core.files.storage import default_storage

    from nokor.cyber.views_report import purge_draft_files

    english.post(STEP.format("evidence"), {"files": [png()]})
    path = english.session["cyber_report_draft"]["evidence"][0]["path"]
    assert purge_draft_files() == 0 and default_storage.exists(path)  # a fresh draft is kept
    assert purge_draft_files(older_than=dt.timedelta(seconds=-60)) == 1 and not default_storage.exists(path)


def test_reporter_can_throw_the_draft_away(english):
    english.post(STEP.format("evidence"), {"files": [png()]})
    path = english.session["cyber_report_draft"]["evidence"][0]["path"]
    assert english.get("/cyber/report/restart/").status_code == 405
    assert english.post("/cyber/report/restart/").url == START
    from django.core.files.storage import default_storage

    assert "cyber_report_draft" not in english.session and not default_storage.exists(path)


# --------------------------------------------------------------------------------------------------
# Identifiers and files
# --------------------------------------------------------------------------------------------------
def test_a_malformed_identifier_is_flagged_not_rejected(english):
    walk_to_check(english, lost_money=False)
    response = english.post(
        STEP.format("identifiers"),
        {
            **rows(
                "identifiers",
                [{"text": "012 34", "kind": "phone"}, {"text": "the man called Dara", "kind": ""}],
            ),
            "add": "1",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.count("Could not be recognised") == 2
    check = english.get(CHECK).content.decode()
    assert "could not be recognised" in check and "It will be kept as you wrote it." in check
    report = submit(english)
    assert set(report.sightings.values_list("kind", "value", "recognized")) == {
        ("phone", "012 34", False),
        ("unknown", "the man called Dara", False),
    }


def test_an_oversize_file_is_refused_and_the_rest_is_kept(english):
    walk_to_check(english, lost_money=False, files=[png("first.png")])
    big = SimpleUploadedFile(
        "video-call.png",
        b"\x89PNG\r\n\x1a\n" + b"\0" * (reports.EVIDENCE_MAX_MB * 1024 * 1024),
        content_type="image/png",
    )
    wrong = SimpleUploadedFile("setup.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = english.post(STEP.format("evidence") + "?change=1", {"files": [png("second.png"), big, wrong]})
    assert response.status_code == 200
    body = response.content.decode()
    assert "video-call.png" in body and "smaller than 10 MB" in body and "setup.pdf" in body
    draft = english.session["cyber_report_draft"]
    assert [item["name"] for item in draft["evidence"]] == ["first.png", "second.png"]
    assert draft["description"] == "They promised profits on a crypto site."  # the rest of the report is kept
    report = submit(english)
    assert sorted(report.evidence.values_list("original_name", flat=True)) == ["first.png", "second.png"]


def test_a_file_can_be_removed_from_the_draft(english):
    english.post(STEP.format("evidence"), {"files": [png("a.png"), png("b.png")], "add": "1"})
    response = english.post(STEP.format("evidence"), {"remove": "0"})
    assert response.status_code == 302
    assert [item["name"] for item in english.session["cyber_report_draft"]["evidence"]] == ["b.png"]


def test_sextortion_evidence_is_sensitive_and_never_displayed(english):
    walk_to_check(english, category="sextortion", lost_money=False, files=[png("threat.png")])
    report = submit(english)
    evidence = report.evidence.get()
    assert evidence.sensitive
    assert reports.priority_band(report.priority) == reports.HIGH  # sensitive (+3)
    body = english.get(f"{STATUS}{report.reference}/").content.decode()
    main = body[body.index("<main") :]
    assert "threat.png" in main and "<img" not in main and evidence.file.name not in main


# --------------------------------------------------------------------------------------------------
# One-page attempt
# --------------------------------------------------------------------------------------------------
def test_an_attempt_is_reported_on_one_page(english):
    response = english.post(
        "/cyber/report/attempt/",
        {
            "category": "phishing",
            "identifier": "hxxps://aba-secure-login[.]com/verify",
            "kind": "",
            "more_identifiers": "012 345 678\n+855 12 345 678\n",
            "channel": "sms",
            "description": "",
            "contact_email": "",
            "contact_phone": "",
        },
    )
    assert response.url == SENT
    report = Report.objects.get()
    assert report.attempt_only and report.loss_khr == 0 and report.description == ""
    assert report.sightings.count() == 2  # the phone twice in two forms is one sighting
    assert "Never share a one-time code" in english.get(SENT).content.decode()  # the category's next steps


def test_an_attempt_needs_the_number_or_link(english):
    response = english.post(
        "/cyber/report/attempt/", {"category": "phishing", "identifier": "", "description": "x"}
    )
    assert response.status_code == 200 and response.context["form"].errors["identifier"]
    assert ">\nx</textarea>" in response.content.decode()  # what was typed is kept
    assert not Report.objects.exists()


# --------------------------------------------------------------------------------------------------
# Status check and adding information
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def filed():
    return reports.report_submit(
        by=None,
        category="online-fraud",
        description="First account.",
        identifiers=[reports.IdentifierInput("012 345 678")],
        contact_email="victim@example.com",
    )


def test_status_check_with_the_right_code_shows_the_status_in_words(english, filed):
    report = filed.report
    report.public_note = "We asked the bank to freeze the account."
    report.save(update_fields=["public_note"])
    response = english.post(
        STATUS, {"reference": report.reference.lower(), "code": filed.tracking_code.lower()}
    )
    assert response.url == f"{STATUS}{report.reference}/"
    body = english.get(response.url).content.decode()
    assert "Received" in body and "in order of urgency" in body and "freeze the account" in body
    assert (
        "First account." not in body and "victim@example.com" not in body
    )  # the code shows the status, not the report


def test_wrong_code_and_wrong_reference_get_the_same_answer(english, filed):
    report = filed.report
    other_reference = reports.make_reference(2020, 999999)
    wrong_code = english.post(STATUS, {"reference": report.reference, "code": "AAAA-BBBB-CCCC"})
    wrong_reference = english.post(STATUS, {"reference": other_reference, "code": filed.tracking_code})
    assert wrong_code.status_code == wrong_reference.status_code == 200
    assert wrong_code.context["form"].non_field_errors() == wrong_reference.context["form"].non_field_errors()
    assert "not right" in wrong_code.content.decode()
    # Without the code, the report's page sends back to the status check.
    assert english.get(f"{STATUS}{report.reference}/").url.startswith(STATUS + "?reference=")


def test_a_mistyped_reference_is_caught_by_its_check_digit(english, filed):
    reference = filed.report.reference
    mistyped = reference[:-1] + str((int(reference[-1]) + 1) % 10)
    response = english.post(STATUS, {"reference": mistyped, "code": filed.tracking_code})
    assert response.context["form"].errors["reference"]


def test_status_checks_are_rate_limited_per_ip(english, filed, settings):
    settings.CYBER_STATUS_RATE_LIMIT = 2
    for _ in range(2):
        assert english.post(STATUS, {"reference": filed.report.reference, "code": "WRONG"}).status_code == 200
    response = english.post(STATUS, {"reference": filed.report.reference, "code": filed.tracking_code})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_reporter_adds_information_later_with_the_code(english, filed):
    report = filed.report
    english.post(STATUS, {"reference": report.reference, "code": filed.tracking_code})
    url = f"{STATUS}{report.reference}/add/"
    assert english.get(url).status_code == 200
    response = english.post(
        url,
        {
            "text": "They called again from another number.",
            "identifiers": "097 111 2222\n",
            "files": [png("new.png")],
        },
    )
    assert response.url == f"{STATUS}{report.reference}/"
    report.refresh_from_db()
    assert report.description.startswith("First account.") and "They called again" in report.description
    assert ("phone", "+855971112222") in set(report.sightings.values_list("kind", "value"))
    assert report.evidence.get().original_name == "new.png"
    assert AuditEvent.objects.filter(action="cyber.report_add_information", object_id=str(report.pk)).exists()


def test_adding_information_keeps_the_text_when_a_file_is_refused(english, filed):
    report = filed.report
    english.post(STATUS, {"reference": report.reference, "code": filed.tracking_code})
    big = SimpleUploadedFile(
        "huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (11 * 1024 * 1024), content_type="image/png"
    )
    response = english.post(
        f"{STATUS}{report.reference}/add/", {"text": "New details.", "files": [big]}, follow=True
    )
    body = response.content.decode()
    assert "huge.png" in body and "was not added" in body
    report.refresh_from_db()
    assert "New details." in report.description and not report.evidence.exists()


def test_adding_nothing_is_an_error(english, filed):
    english.post(STATUS, {"reference": filed.report.reference, "code": filed.tracking_code})
    response = english.post(f"{STATUS}{filed.report.reference}/add/", {"text": ""})
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_adding_information_needs_the_code(client, filed):
    response = client.post(f"{STATUS}{filed.report.reference}/add/", {"text": "Sneaky"})
    assert response.status_code == 302 and response.url.startswith(STATUS)
    filed.report.refresh_from_db()
    assert "Sneaky" not in filed.report.description


def test_a_closed_report_takes_no_more_information(filed):
    report = filed.report
    report.status = Report.Status.CLOSED
    report.save(update_fields=["status"])
    with pytest.raises(reports.ReportError):
        reports.report_add_information(report=report, by=None, text="More")


# --------------------------------------------------------------------------------------------------
# The service: priority, references, tracking codes, notifications
# --------------------------------------------------------------------------------------------------
def test_priority_counts_other_reports_naming_the_same_identifier():
    def file(phone):
        return reports.report_submit(
            by=None, category="other", description="x", identifiers=[reports.IdentifierInput(phone)]
        ).report

    first = file("012 345 678")
    assert first.priority == 0
    assert file("+855 12 345 678").priority == 1  # one other report names it (written differently)
    file("855-12-345-678")
    assert file("(012) 345-678").priority == 2  # three others
    assert file("097 000 1111").priority == 0  # another number: no other report


def test_allow_listed_identifiers_never_raise_the_priority():
    AllowListEntry.objects.create(kind="phone", value="+85523999999", reason="A bank's hotline")
    for _ in range(3):
        report = reports.report_submit(
            by=None, category="other", description="x", identifiers=[reports.IdentifierInput("023 999 999")]
        ).report
    assert report.priority == 0 and Sighting.objects.filter(value="+85523999999").count() == 3


def test_priority_bands_set_the_first_look_deadline():
    assert reports.priority_band(0) == reports.NORMAL and reports.SLA[reports.NORMAL] == dt.timedelta(days=7)
    assert reports.priority_band(3) == reports.HIGH and reports.SLA[reports.HIGH] == dt.timedelta(hours=72)
    assert reports.priority_band(6) == reports.URGENT and reports.SLA[reports.URGENT] == dt.timedelta(
        hours=24
    )
    assert reports.priority_score(loss_khr=40_000_000) == 4  # 10,000 US dollars at 4,000 riel
    assert reports.priority_score(loss_usd_cents=1_000_000) == 4
    assert reports.priority_score(loss_usd_cents=5_000, sensitive=True) == 1 + 3


def test_references_have_a_check_digit_and_numbers_follow_each_other():
    one = reports.report_submit(by=None, category="other", description="a").report
    two = reports.report_submit(by=None, category="other", description="b").report
    assert two.number == one.number + 1
    assert two.reference.endswith(f"-{two.number % reports.NUMBERS_PER_YEAR:06d}-{two.reference[-1]}")
    with time_machine.travel(dt.datetime(timezone.localdate().year + 1, 1, 2, tzinfo=dt.UTC)):
        next_year = reports.report_submit(by=None, category="other", description="c").report
    assert next_year.reference.startswith(f"CY-{timezone.localdate().year + 1}-000001-")
    assert next_year.number == (timezone.localdate().year + 1) * reports.NUMBERS_PER_YEAR + 1
    reference = reports.make_reference(2026, 123)
    assert reference == f"CY-2026-000123-{luhn_digit('2026000123')}"
    assert (
        reports.normalize_reference(" cy-២០២៦-000123-" + reference[-1]) == reference
    )  # any case, Khmer digits
    assert reports.normalize_reference(shown(reference)) == reference  # pasted from the page
    assert reports.normalize_reference(reference[:-1] + str((int(reference[-1]) + 1) % 10)) is None
    assert reports.normalize_reference("NK-2026-000123-" + reference[-1]) is None


def test_the_tracking_code_is_stored_hashed_and_survives_a_key_rotation(settings):
    submitted = reports.report_submit(by=None, category="other", description="a")
    code, stored = submitted.tracking_code, submitted.report.tracking_code_hash
    assert len(code) == reports.TRACKING_LENGTH and code not in stored and len(stored) == 64
    assert reports.tracking_code_matches(stored, reports.format_tracking_code(code))
    assert not reports.tracking_code_matches(stored, "0" * 12)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-after-rotation-0123456789abcdefghijklmnop"
    assert reports.report_for_tracking(reference=submitted.report.reference, code=code) == submitted.report


def test_the_service_refuses_what_the_pages_would(citizen):
    with pytest.raises(reports.ReportError) as refusal:
        reports.report_submit(
            by=citizen,
            category="no-such-thing",
            description="",
            incident_date=timezone.localdate() + dt.timedelta(days=1),
            identifiers=[reports.IdentifierInput("x", "planet")],
            transfers=[reports.TransferInput(amount="-5")],
            contact_email="not-an-address",
            contact_phone="12",
        )
    assert set(refusal.value.errors) == {
        "category",
        "description",
        "incident_date",
        "identifiers[0]",
        "transfers[0].amount",
        "contact.email",
        "contact.phone",
    }
    assert not Report.objects.exists()


def test_reporter_is_told_when_the_status_changes(citizen):
    mine = reports.report_submit(by=citizen, category="other", description="a").report
    anonymous = reports.report_submit(
        by=None, category="other", description="b", contact_phone="012 345 678"
    ).report
    for report in (mine, anonymous):
        report.status, report.public_note = Report.Status.LINKED, "An investigator will call you."
        report.save(update_fields=["status", "public_note", "updated_at"])
        reports.report_notify_status(report=report)
    assert Message.objects.filter(user=citizen, event="cyber.report_status", channel="inbox").exists()
    received, changed = Message.objects.filter(to="+85512345678", channel="sms").order_by("created_at")
    assert anonymous.reference in received.body and "/cyber/report/status/" in received.body
    assert anonymous.reference in changed.body and len(changed.body) < 160


def test_anonymous_reporter_without_contact_details_is_not_messaged():
    reports.report_submit(by=None, category="other", description="a")
    assert not Message.objects.exists()


# --------------------------------------------------------------------------------------------------
# Personal data, reference data, demo data
# --------------------------------------------------------------------------------------------------
def test_reports_are_exported_and_retained_when_the_account_is_deleted(citizen):
    from nokor.accounts import services as accounts
    from nokor.cyber import personal_data  # noqa: F401  (registers its section, as the app's ready() will)

    report = reports.report_submit(
        by=citizen,
        category="online-fraud",
        description="Lost my savings",
        identifiers=[reports.IdentifierInput("012 345 678")],
        transfers=[reports.TransferInput(amount=Decimal("50"), currency="USD")],
        evidence=[reports.EvidenceInput(file=png(), name="chat.png")],
    ).report
    exported = accounts.personal_data_export(user=citizen)["cyber_reports"]
    assert exported[0]["reference"] == report.reference and exported[0]["transfers"][0]["amount"] == "50.00"
    assert exported[0]["evidence"][0]["file_name"] == "chat.png"
    from django.utils import translation

    with translation.override("en"):
        kept = accounts.retained_on_deletion(user=citizen)
    assert any("Cybercrime reports (1)" in line for line in kept)
    accounts.account_delete(user=citizen)
    assert Report.objects.filter(pk=report.pk, reporter=citizen).exists()
    assert EvidenceFile.objects.filter(report=report).exists()


def test_reference_data_loads_once_and_keeps_edits_unless_asked():
    assert Category.objects.count() == 9 and Institution.objects.filter(code="ABA").exists()
    assert Category.objects.get(slug="sextortion").sensitive
    assert reference_data.load() == {"created": 0, "updated": 0}
    Category.objects.filter(slug="phishing").update(name_en="Edited by the ministry")
    reference_data.load()
    assert Category.objects.get(slug="phishing").name_en == "Edited by the ministry"
    assert reference_data.load(update=True)["updated"] == 1
    assert Category.objects.get(slug="phishing").name_en.startswith("Phishing")
    for category in Category.objects.all():
        assert category.next_steps_km and category.next_steps_en and category.name_km


def test_the_command_loads_the_reference_data():
    from django.core.management import call_command

    Category.objects.all().delete()
    call_command("load_cyber_reference", verbosity=0)
    assert Category.objects.count() == len(reference_data.CATEGORIES)


def test_demo_data_is_seeded_once(citizen):
    from nokor.cyber import demo

    made = demo.seed()
    assert len(made) == 2 and demo.seed() == []
    attempt = Report.objects.get(reference=made[1])
    assert attempt.priority == 1  # names the phone of the demo citizen's report, written differently


def test_my_reports_list_issues_a_fixed_number_of_queries(login, citizen, django_assert_max_num_queries):
    for index in range(5):
        reports.report_submit(by=citizen, category="other", description=f"report {index}")
    client = login(citizen)
    with django_assert_max_num_queries(12):
        response = client.get("/cyber/report/mine/")
    assert len(response.context["page_obj"]) == 5
