"""The public scam check: the listing rules of the lookup, search counting, the page and the dispute."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nokor.audit.models import AuditEvent
from nokor.cyber import scamcheck, searchcounts
from nokor.cyber.models import AllowListEntry, Dispute, Report, SearchCount, Verdict
from nokor.cyber.scamcheck import Status, check, lookup
from nokor.cyber.tests.factories_check import (  # noqa: F401 (fixtures)
    categories_fixture,
    fresh_rate_limit_fixture,
    make_report_fixture,
)

PHONE = "012 345 678"
E164 = "+85512345678"


@pytest.fixture
def english(client):
    client.cookies["nokor_language"] = "en"
    return client


def verdict(kind, value, outcome, by, at=None):
    """A verdict made directly (the service and its rules are tested in test_indicators)."""
    row = Verdict.objects.create(kind=kind, value=value, outcome=outcome, decided_by=by)
    if at is not None:
        Verdict.objects.filter(pk=row.pk).update(decided_at=at)
    return row


# --------------------------------------------------------------------------------------------------
# Listing thresholds
# --------------------------------------------------------------------------------------------------
def test_two_reports_do_not_list_a_number(make_report):
    make_report(PHONE)
    make_report(PHONE)
    result = check(PHONE)
    assert not result.listed and result.listing.status == Status.TOO_FEW
    assert result.listing.report_count == 2  # known inside, never shown below the threshold
    assert "report_count" not in result.public_data()


def test_three_independent_reports_list_it(make_report):
    for _ in range(3):
        make_report(PHONE)
    result = check(PHONE)
    assert result.listed and result.listing.status == Status.REPORTED
    assert result.report_count == 3 and result.kind == "phone" and result.normalized == E164


def test_the_threshold_is_a_setting(make_report, settings):
    settings.CYBER_LISTING_MIN_REPORTS = 2
    make_report(PHONE)
    make_report(PHONE)
    assert check(PHONE).listed


def test_reports_by_the_same_person_count_once(make_report, citizen):
    for _ in range(3):
        make_report(PHONE, contact_phone="+85599111222")
    assert check(PHONE).listing.report_count == 1
    for _ in range(2):
        make_report(PHONE, reporter=citizen)
    for _ in range(2):
        make_report(PHONE, contact_email="Dara@Example.com")
    make_report(PHONE, contact_email="dara@example.com")
    result = check(PHONE)
    assert result.listing.report_count == 3 and result.listed


def test_an_officer_filing_for_several_victims_does_not_make_them_one(make_report, investigator):
    for victim in ("+85511000001", "+85511000002", "+85511000003"):
        make_report(PHONE, reporter=investigator, on_behalf_of="a victim", contact_phone=victim)
    assert check(PHONE).listing.report_count == 3


def test_anonymous_reports_without_contact_count_one_by_one(make_report):
    for _ in range(3):
        make_report(PHONE, anonymous=True)
    assert check(PHONE).listed


def test_rejected_reports_do_not_count(make_report):
    make_report(PHONE)
    make_report(PHONE)
    make_report(PHONE, status=Report.Status.REJECTED)
    assert not check(PHONE).listed


def test_a_confirmed_number_is_listed_with_one_report(make_report, investigator):
    make_report(PHONE)
    verdict("phone", E164, Verdict.Outcome.CONFIRMED, investigator)
    result = check(PHONE)
    assert result.listed and result.confirmed and result.report_count == 1


def test_a_false_positive_is_not_listed_even_with_five_reports(make_report, investigator):
    for _ in range(5):
        make_report(PHONE)
    verdict("phone", E164, Verdict.Outcome.FALSE_POSITIVE, investigator)
    result = check(PHONE)
    assert not result.listed and result.listing.status == Status.FALSE_POSITIVE
    assert set(result.public_data()) == {"query", "kind", "normalized", "listed", "searched"}


def test_a_number_no_longer_in_use_is_not_listed(make_report, investigator):
    for _ in range(3):
        make_report(PHONE)
    verdict("phone", E164, Verdict.Outcome.EXPIRED, investigator)
    assert check(PHONE).listing.status == Status.NO_LONGER_IN_USE


def test_an_allow_listed_value_is_never_listed(make_report, investigator):
    for _ in range(4):
        make_report("023 999 999")
    AllowListEntry.objects.create(kind="phone", value="+85523999999", reason="A bank's hotline")
    verdict("phone", "+85523999999", Verdict.Outcome.CONFIRMED, investigator)
    result = check("+855 23 999 999")
    assert not result.listed and result.listing.status == Status.ALLOW_LISTED


# --------------------------------------------------------------------------------------------------
# Expiry
# --------------------------------------------------------------------------------------------------
def test_a_listing_lapses_a_year_after_its_last_report_and_a_new_report_renews_it(make_report):
    start = timezone.now()
    for _ in range(3):
        make_report(PHONE, at=start)
    with time_machine.travel(start + dt.timedelta(days=364)):
        assert check(PHONE).listed
    with time_machine.travel(start + dt.timedelta(days=366)):
        result = check(PHONE)
        assert not result.listed and result.listing.status == Status.LAPSED
        make_report(PHONE)
        renewed = check(PHONE)
        assert renewed.listed and renewed.report_count == 4  # old reports count again
        assert renewed.first_reported == timezone.localtime(start).date()


def test_a_confirmed_listing_lapses_too_unless_it_is_confirmed_again(make_report, investigator, settings):
    settings.CYBER_LISTING_EXPIRY_DAYS = 30
    settings.CYBER_CHECK_CACHE_SECONDS = 0  # re-confirmed below by a bulk update, unseen by the cache
    start = timezone.now()
    make_report(PHONE, at=start)
    verdict("phone", E164, Verdict.Outcome.CONFIRMED, investigator, at=start)
    with time_machine.travel(start + dt.timedelta(days=31)):
        assert check(PHONE).listing.status == Status.LAPSED
        Verdict.objects.filter(value=E164).update(decided_at=timezone.now())  # confirmed again
        assert check(PHONE).listed


# --------------------------------------------------------------------------------------------------
# Any written form
# --------------------------------------------------------------------------------------------------
def test_the_same_phone_written_three_ways_finds_the_same_count(make_report):
    make_report("012 345 678")
    make_report("+855 12 345 678")
    forms = ["012345678", "(012) 345-678", "855-12-345-678", "០១២ ៣៤៥ ៦៧៨"]
    assert {check(text).listing.report_count for text in forms} == {2}
    assert {check(text).normalized for text in forms} == {E164}


def test_reported_two_times_is_shown_whichever_way_the_number_is_typed(english, make_report, settings):
    settings.CYBER_LISTING_MIN_REPORTS = 2
    make_report("012 345 678")
    make_report("855 12 345 678")
    for text in ("012-345-678", "+85512345678", "0 12 345 678"):
        body = english.get("/cyber/check/", {"q": text}).content.decode()
        assert "Reported 2 times" in body


def test_a_defanged_address_meets_the_reports_of_the_real_one(make_report):
    for _ in range(3):
        make_report("http://scam-shop.com/pay")
    result = check("hxxp://scam-shop[.]com/pay")
    assert result.listed and result.normalized == "http://scam-shop.com/pay"


# --------------------------------------------------------------------------------------------------
# Web addresses and their domain
# --------------------------------------------------------------------------------------------------
def test_an_address_under_a_reported_domain_belongs_to_it(make_report):
    make_report("https://scam-shop.com/login")
    make_report("http://www.scam-shop.com/pay?id=1")
    make_report("scam-shop.com")
    result = check("https://secure.scam-shop.com/another/path")
    assert result.listed and result.listed_by_domain
    assert result.domain == "scam-shop.com" and result.report_count == 3
    data = result.public_data()
    assert data["domain"] == "scam-shop.com" and data["domain_listed"] is True
    assert data["domain_report_count"] == 3


def test_a_listed_address_also_says_whether_its_domain_is_listed(make_report):
    for _ in range(3):
        make_report("https://bit-invest.net/x")
    result = check("https://bit-invest.net/x")
    assert result.listed and not result.listed_by_domain and result.domain_listed
    other = check("https://bit-invest.net/other")
    assert other.listed and other.listed_by_domain


def test_a_domain_lookup_counts_the_addresses_under_it(make_report):
    make_report("https://a.fake-bank.com.kh/1")
    make_report("https://b.fake-bank.com.kh/2")
    make_report("https://fake-bank.com.kh/3")
    result = check("fake-bank.com.kh")
    assert result.kind == "domain" and result.listed and result.report_count == 3


def test_a_shared_platform_is_never_listed_as_a_whole(make_report):
    for name in ("scammer1", "scammer2", "scammer3"):
        make_report(f"https://t.me/{name}")
    other = check("https://t.me/a_real_shop")
    assert not other.listed and other.domain_listing.status == Status.ALLOW_LISTED


def test_an_allow_listed_domain_does_not_list_its_addresses(make_report):
    for page in ("a", "b", "c"):
        make_report(f"https://sites.example-host.com/{page}")
    AllowListEntry.objects.create(kind="domain", value="example-host.com", reason="A hosting service")
    assert not check("https://sites.example-host.com/d").listed


def test_an_address_longer_than_the_stored_value_meets_its_reports(make_report):
    long_address = "https://scam-shop.com/pay?" + "session=abc123&" * 60
    for _ in range(3):
        make_report(long_address)
    result = check(long_address)
    assert len(result.normalized) > 512 and result.listing.listed and result.searched == 1
    assert len(SearchCount.objects.get().value) == 512


def test_text_that_names_no_identifier_is_never_listed(make_report):
    result = check("Sok Dara from the bank")
    assert result.kind == "unknown" and not result.listed and result.searched == 0
    assert not SearchCount.objects.exists()


# --------------------------------------------------------------------------------------------------
# Search counts
# --------------------------------------------------------------------------------------------------
def test_each_check_is_counted_whatever_the_written_form(db):
    assert check("012 345 678").searched == 1
    assert check("+85512345678").searched == 2
    assert lookup("012345678").searched == 2  # a re-read (dispute page) is not a search
    assert SearchCount.objects.get(kind="phone", value=E164).count == 2


def test_the_search_count_is_one_statement_in_the_database_not_a_read_and_write(db):
    check(PHONE)
    with CaptureQueriesContext(connection) as queries:
        assert check(PHONE).searched == 2
    (statement,) = [q["sql"] for q in queries.captured_queries]
    assert statement.startswith("INSERT") and "ON CONFLICT" in statement


def test_buffered_searches_are_written_together_and_shown_at_once(db):
    counter = searchcounts.SearchCounter(flush_seconds=3600)
    SearchCount.objects.create(kind="phone", value=E164, count=5)  # searches written before
    assert [counter.count("phone", E164) for _ in range(3)] == [6, 7, 8]  # this process's own included
    assert SearchCount.objects.get(value=E164).count == 5  # nothing written yet
    other = searchcounts.SearchCounter(flush_seconds=3600)  # another process
    assert other.count("phone", E164) == 6
    with CaptureQueriesContext(connection) as queries:
        assert counter.flush() == 1
    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 1
    assert SearchCount.objects.get(value=E164).count == 8
    assert other.flush() == 1 and SearchCount.objects.get(value=E164).count == 9
    assert counter.count("phone", E164) == 9  # as last written by this process, plus this search
    assert counter.flush() == 1 and SearchCount.objects.get(value=E164).count == 10


def test_a_search_count_that_cannot_be_written_is_kept_for_the_next_write(db):
    counter = searchcounts.SearchCounter(flush_seconds=3600)
    counter.count("phone", E164)
    counter.count("phone", "x" * 600)  # longer than the column: refused by PostgreSQL
    counter.flush()
    assert SearchCount.objects.get(value=E164).count == 1
    if connection.vendor == "postgresql":
        assert counter._pending == {("phone", "x" * 600): 1}  # waits for the next write


def test_the_buffer_is_written_when_its_time_is_up(db):
    counter = searchcounts.SearchCounter(flush_seconds=0.01)
    counter.count("phone", E164)
    time.sleep(0.02)
    counter.count("phone", E164)
    assert SearchCount.objects.get(value=E164).count == 2 and not counter._pending


# --------------------------------------------------------------------------------------------------
# Cost: index lookups, a fixed number of queries
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reports", [3, 25])
def test_a_check_costs_the_same_queries_whatever_the_number_of_reports(
    make_report, reports, django_assert_num_queries
):
    for index in range(reports):
        make_report("https://scam-shop.com/pay", f"https://scam-shop.com/{index}", PHONE)
    check("https://scam-shop.com/pay")  # the first search inserts its counter
    check(PHONE)
    # the search count (one upsert); the answer from the cache (uncached costs: test_scale)
    with django_assert_num_queries(1):
        assert check("https://scam-shop.com/pay").listed
    with django_assert_num_queries(1):
        assert check(PHONE).listed


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_every_query_of_a_check_is_an_index_lookup(make_report):
    for _ in range(3):
        make_report("https://scam-shop.com/pay", PHONE)
    check("https://scam-shop.com/pay")
    with CaptureQueriesContext(connection) as queries:
        check("https://scam-shop.com/pay")
        check(PHONE)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"].replace("%s", "?"), ())
            plans.append((query["sql"], [row[-1] for row in cursor.fetchall()]))
    for sql, plan in plans:
        full_scans = [step for step in plan if step.startswith("SCAN ") and "USING" not in step]
        assert not full_scans, (sql, plan)


# --------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------
def test_the_page_opens_with_an_empty_form(english, db):
    response = english.get("/cyber/check/")
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in body
    assert 'method="get"' in body and response["Cache-Control"] == "private, no-store"


def test_the_page_is_in_khmer_by_default(client, make_report):
    for _ in range(3):
        make_report(PHONE)
    response = client.get("/cyber/check/", {"q": PHONE})
    assert response.status_code == 200 and 'lang="km"' in response.content.decode()


def test_an_empty_check_shows_an_error(english, db):
    body = english.get("/cyber/check/", {"q": "   "}).content.decode()
    assert "There is a problem" in body and "<title>Error:" in body
    assert "Enter the phone number, web address, account or user name to check." in body


def test_a_listed_number_says_how_often_it_was_reported_with_its_categories_and_links(
    english, make_report, citizen
):
    start = timezone.now() - dt.timedelta(days=10)
    make_report(PHONE, at=start, category="impersonation", contact_phone="+85570111222")
    make_report(PHONE, reporter=citizen, contact_email="victim@example.com")
    make_report(PHONE)
    body = english.get("/cyber/check/", {"q": "0 12 345 678"}).content.decode()
    assert "Reported 3 times" in body and "tag--red" in body
    assert "Investment scam" in body and "Pretending to be a bank or official" in body
    assert "/cyber/check/dispute/?q=0%2012%20345%20678" in body
    assert "Report a scam" in body
    assert "Searched 1 time" in body
    # nothing of the reporters, ever
    for private in ("+85570111222", "victim@example.com", citizen.full_name, "CY-TEST-", "asked me to send"):
        assert private not in body


def test_an_unlisted_number_has_no_reports_and_is_never_called_safe(english, make_report):
    make_report(PHONE)
    body = english.get("/cyber/check/", {"q": PHONE}).content.decode()
    assert "No reports found" in body and "This does not mean it is safe." in body
    assert body.count("safe") == body.count("does not mean it is safe")
    assert "Reported 1 time" not in body and "tag--red" not in body


def test_an_address_under_a_listed_domain_says_so(english, make_report):
    for page in ("a", "b", "c"):
        make_report(f"https://scam-shop.com/{page}")
    body = english.get("/cyber/check/", {"q": "https://pay.scam-shop.com/d"}).content.decode()
    assert "This site belongs to the domain scam-shop.com, which was reported 3 times." in body


def test_unrecognised_text_is_explained(english, db):
    body = english.get("/cyber/check/", {"q": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"}).content.decode()
    assert "We could not recognise what you typed" in body and "checksum" in body


def test_too_many_checks_from_one_address_are_refused(english, db, settings):
    settings.CYBER_CHECK_RATE_LIMIT = 2
    assert english.get("/cyber/check/", {"q": PHONE}).status_code == 200
    assert english.get("/api/v1/scam-check", {"q": PHONE}).status_code == 200
    response = english.get("/cyber/check/", {"q": PHONE})
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    assert "Wait" in response.content.decode() and "try again" in response.content.decode()
    assert english.get("/cyber/check/", {"q": PHONE}, REMOTE_ADDR="10.9.8.7").status_code == 200
    assert english.get("/cyber/check/").status_code == 200  # the empty form costs nothing
    assert SearchCount.objects.get().count == 3  # refused checks are not searches


def test_the_page_costs_a_fixed_number_of_queries(english, make_report, django_assert_max_num_queries):
    for _ in range(10):
        make_report(PHONE)
    english.get("/cyber/check/", {"q": PHONE})
    with django_assert_max_num_queries(8):  # the check's six, the categories' names, the session
        english.get("/cyber/check/", {"q": PHONE})


# --------------------------------------------------------------------------------------------------
# Dispute
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def listed_phone(make_report):
    for _ in range(3):
        make_report(PHONE)
    return E164


def test_the_owner_of_a_listed_number_can_ask_for_a_review(english, listed_phone):
    page = english.get("/cyber/check/dispute/", {"q": "012-345-678"})
    assert page.status_code == 200 and E164 in page.content.decode()
    assert 'href="/cyber/check/dispute/paper-form/"' in page.content.decode()  # or on paper, at an office
    response = english.post(
        "/cyber/check/dispute/",
        {
            "q": "012-345-678",
            "name": "Chan Sokha",
            "contact": "sokha@example.com",
            "reason": "My shop's number.",
        },
    )
    assert response.status_code == 302 and response.url == "/cyber/check/dispute/sent/"
    dispute = Dispute.objects.get()
    assert (dispute.kind, dispute.value, dispute.status) == ("phone", E164, Dispute.Status.OPEN)
    assert dispute.name == "Chan Sokha" and dispute.reason == "My shop's number."
    event = AuditEvent.objects.get(action="cyber.dispute_open")
    assert event.object_id == str(dispute.pk) and event.details == {"kind": "phone", "value": E164}
    sent = english.get(response.url).content.decode()
    assert "Request sent" in sent and str(dispute.pk)[:8].upper() in sent
    assert check(PHONE).listed  # the listing stays while it is reviewed


def test_a_dispute_of_an_address_under_a_listed_domain_is_about_the_domain(english, make_report):
    for page in ("a", "b", "c"):
        make_report(f"https://scam-shop.com/{page}")
    english.post(
        "/cyber/check/dispute/",
        {"q": "https://scam-shop.com/z", "name": "Owner", "contact": "012 000 000", "reason": "Mine."},
    )
    assert Dispute.objects.values_list("kind", "value").get() == ("domain", "scam-shop.com")


def test_a_dispute_with_missing_answers_shows_errors_and_keeps_what_was_typed(english, listed_phone):
    response = english.post(
        "/cyber/check/dispute/", {"q": PHONE, "name": "Chan Sokha", "contact": "", "reason": "  "}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter a phone number or e-mail address where we can reach you." in body
    assert "Explain why the listing is wrong." in body and 'value="Chan Sokha"' in body
    assert not Dispute.objects.exists()


def test_what_is_not_listed_cannot_be_disputed(english, make_report):
    make_report(PHONE)
    page = english.get("/cyber/check/dispute/", {"q": PHONE}).content.decode()
    assert "nothing to review" in page and '<form method="post"' not in page
    english.post("/cyber/check/dispute/", {"q": PHONE, "name": "A", "contact": "B", "reason": "C"})
    assert not Dispute.objects.exists()
    with pytest.raises(scamcheck.DisputeError):
        scamcheck.dispute_open(kind="phone", value=PHONE, name="A", contact="B", reason="C")


def test_the_dispute_page_without_a_query_goes_back_to_the_check(english, db):
    assert english.get("/cyber/check/dispute/").url == "/cyber/check/"
    assert english.get("/cyber/check/dispute/sent/").url == "/cyber/check/"
