"""Cybercrime statistics: reports grouped by month (Phnom Penh time), category, province and channel;
money lost per currency; money frozen and cases; small counts hidden on the public page and exact on the
investigators' page; the investigators' scope; filters kept in the URL and checked; the CSV download
audited; no personal data on the public page; its query count and its cache."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from nokor.audit.models import AuditEvent
from nokor.cyber import reference_data, reports, statistics
from nokor.cyber.models import Case, FreezeRequest, Institution, Report
from nokor.cyber.statistics import COMPLEMENT, SMALL, Period

PUBLIC = "/cyber/statistics/"
STAFF = "/cyber/staff/statistics/"
CSV = "/cyber/staff/statistics/{}.csv"
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
MARCH_APRIL = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
QUERY = "?from_month=2026-03&to_month=2026-04"
SEXTORTION = "Sextortion or intimate images shared without consent"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _reference_data(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the public figures and the reporting rate limit live in the cache
    reference_data.load()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    client.cookies["nokor_language"] = "en"
    return client


@pytest.fixture
def signed_in(login):
    def do(user):
        client = login(user)
        client.cookies["nokor_language"] = "en"
        return client

    return do


def at(day: int, month: int = 3, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=PHNOM_PENH)


def file(
    units,
    *,
    created: dt.datetime,
    unit: str | None = "12",
    category: str = "online-fraud",
    channel: str = "",
    usd: str = "",
    khr: str = "",
    **details,
) -> Report:
    """A report filed by the reporting service, then dated ``created``."""
    transfers = [reports.TransferInput(usd, "USD")] * bool(usd) + [reports.TransferInput(khr, "KHR")] * bool(
        khr
    )
    filed = reports.report_submit(
        by=None,
        category=category,
        channel=channel,
        description=details.pop("description", "They took my money."),
        transfers=transfers,
        unit=units[unit] if unit else None,
        **details,
    ).report
    Report.objects.filter(pk=filed.pk).update(created_at=created)
    return filed


def make_case(units, by, unit: str | None = "12", **fields) -> Case:
    number = next(_numbers)
    created = fields.pop("created", at(2))
    made = Case.objects.create(
        number=number,
        reference=f"CC-TEST-{number:06d}",
        title="Fake investment site",
        unit=units[unit] if unit else None,
        created_by=by,
        **fields,
    )
    Case.objects.filter(pk=made.pk).update(created_at=created)
    return made


def freeze(owner: Case, by, *, frozen: str, currency: str = "USD", status=FreezeRequest.Status.FROZEN):
    number = next(_numbers)
    return FreezeRequest.objects.create(
        reference=f"FR-TEST-{number:06d}",
        case=owner,
        institution=Institution.objects.get(code="ABA"),
        account="000 123 456",
        amount=Decimal("1000"),
        currency=currency,
        requested_by=by,
        requested_at=at(3),
        answer_due=at(3, hour=14),
        status=status,
        frozen_amount=Decimal(frozen),
        answered_at=at(4),
    )


@pytest.fixture
def dataset(units):
    """Phnom Penh: three reports in March (two by Telegram, money lost in dollars and in riel), one in
    April; Kandal (a district): one in April; one without a province; one in February (outside)."""
    file(units, created=at(5), channel="telegram", usd="100.50")
    file(units, created=at(31, hour=23, minute=30), channel="telegram", khr="400000")  # 16:30 UTC
    file(units, created=at(20), category="romance-scam", channel="facebook", usd="20", unit=None)
    file(units, created=at(1, month=4, hour=0, minute=30), category="phishing", channel="sms")  # 31 Mar UTC
    file(units, created=at(9, month=4), category="phishing", unit="0801", khr="15000")
    file(units, created=at(28, month=2), channel="telegram", usd="999")


def pairs(rows) -> list[tuple[str, int]]:
    return [(row.key, row.count) for row in rows]


def figures_for(user, period=MARCH_APRIL, province=""):
    return statistics.staff_figures(user=user, period=period, province=province)


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------
def test_reports_are_counted_by_month_of_phnom_penh_time(dataset, cyber_supervisor):
    figures = figures_for(cyber_supervisor)
    assert pairs(figures.by_month) == [("2026-03", 3), ("2026-04", 2)]
    assert figures.reports == 5


def test_every_month_of_the_period_has_a_row_even_without_reports(dataset, cyber_supervisor):
    figures = figures_for(cyber_supervisor, Period(dt.date(2026, 1, 1), dt.date(2026, 4, 1)))
    assert pairs(figures.by_month) == [("2026-01", 0), ("2026-02", 1), ("2026-03", 3), ("2026-04", 2)]


def test_reports_are_counted_by_category_province_and_channel(dataset, cyber_supervisor):
    figures = figures_for(cyber_supervisor)
    assert pairs(figures.by_category) == [("online-fraud", 2), ("phishing", 2), ("romance-scam", 1)]
    assert figures.by_category[0].name_en == "Online fraud or investment scam"
    # A district's report counts in its province; a report without a unit is "not stated", last.
    assert pairs(figures.by_province) == [("08", 1), ("12", 3), ("", 1)]
    # Channels: the most used first, then in the order of the form; "not stated" last.
    assert pairs(figures.by_channel) == [("telegram", 2), ("sms", 1), ("facebook", 1), ("", 1)]


def test_money_lost_is_summed_per_currency_and_never_converted(dataset, cyber_supervisor):
    figures = figures_for(cyber_supervisor)
    march, april = figures.by_month
    assert (march.loss_usd_cents, march.loss_khr) == (12050, 400000)
    assert (march.with_loss_usd, march.with_loss_khr) == (2, 1)
    assert (april.loss_usd_cents, april.loss_khr) == (0, 15000)
    total = figures.loss
    assert (total.loss_usd_cents, total.loss_khr, total.with_loss_usd, total.with_loss_khr) == (
        12050,
        415000,
        2,
        2,
    )


def test_the_province_filter_keeps_the_reports_of_the_province_and_its_districts(dataset, cyber_supervisor):
    figures = figures_for(cyber_supervisor, province="08")
    assert figures.reports == 1
    assert pairs(figures.by_province) == [("08", 1)]
    assert figures.loss.loss_khr == 15000


def test_money_frozen_and_cases_are_counted_for_the_period(units, cyber_supervisor):
    by = cyber_supervisor
    closed = make_case(
        units, by, status=Case.Status.CLOSED, outcome=Case.Outcome.FUNDS_RECOVERED, closed_at=at(10)
    )
    make_case(units, by, "08", status=Case.Status.CLOSED, outcome=Case.Outcome.DISRUPTED, closed_at=at(12))
    make_case(units, by, status=Case.Status.INVESTIGATING)
    make_case(units, by, status=Case.Status.OPEN, created=at(1, month=1))  # opened before the period
    freeze(closed, by, frozen="250.00")
    freeze(closed, by, frozen="100.25", status=FreezeRequest.Status.PARTIAL)
    freeze(closed, by, frozen="0", status=FreezeRequest.Status.REFUSED)
    freeze(closed, by, frozen="800000", currency="KHR")
    figures = figures_for(by)
    assert pairs(figures.cases_by_status) == [("investigating", 1), ("closed", 2)]
    assert pairs(figures.cases_by_outcome) == [("recovered", 1), ("disrupted", 1)]
    assert [(row.key, row.count, row.amount) for row in figures.frozen] == [
        ("KHR", 1, Decimal("800000")),
        ("USD", 2, Decimal("350.25")),
    ]
    assert figures_for(by, province="08").cases_closed == 1


# --------------------------------------------------------------------------------------------------
# Small counts
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ([3, 12, 20], [SMALL, COMPLEMENT, ""]),  # 3 = total - 12 - 20 unless 12 is hidden too
        ([3, 4, 20], [SMALL, SMALL, ""]),  # two small ones already hide each other
        ([0, 5, 7], ["", "", ""]),  # nobody is not a small count; 5 is shown
        ([1], [SMALL]),
    ],
)
def test_public_tables_hide_counts_from_one_to_four_and_what_would_give_them_away(counts, hidden):
    assert statistics.hidden_cells(counts) == hidden


@pytest.fixture
def three_sextortion_reports(units):
    for day in (2, 3, 4):
        file(units, created=at(day), category="sextortion", channel="telegram")
    for day in range(5, 12):
        file(units, created=at(day), category="online-fraud", channel="telegram")


def category_row(response, name: str) -> list:
    table = next(table for table in response.context["tables"] if table["key"] == "category")
    return next(row for row in table["rows"] if row[0] == name)


def test_the_public_page_shows_a_count_of_three_as_fewer_than_five(english, three_sextortion_reports):
    response = english.get(PUBLIC + QUERY)
    assert response.status_code == 200
    sextortion = category_row(response, SEXTORTION)
    assert sextortion[1] == "Fewer than 5" and sextortion[2] == ""  # no share, no bar
    fraud = category_row(response, "Online fraud or investment scam")
    assert fraud[1].startswith("Not shown")  # else 10 - 7 would give the 3 away
    assert ">3<" not in response.content.decode()
    assert "Fewer than 5" in response.content.decode()


def test_the_staff_page_shows_the_exact_count(signed_in, cyber_supervisor, three_sextortion_reports):
    response = signed_in(cyber_supervisor).get(STAFF + QUERY)
    assert response.status_code == 200
    assert category_row(response, SEXTORTION)[1] == "3"
    assert category_row(response, "Online fraud or investment scam")[1] == "7"
    assert "Fewer than 5" not in response.content.decode()


def test_the_public_page_hides_money_lost_by_fewer_than_five_victims(english, units):
    file(units, created=at(5), usd="5000")
    for day in range(6, 12):
        file(units, created=at(day), khr="10000")
    response = english.get(PUBLIC + QUERY)
    money = next(table for table in response.context["tables"] if table["key"] == "money_lost")
    march = money["rows"][0]
    assert march[1] == "៛60,000" and march[2].startswith("Not shown")
    assert "5,000" not in response.content.decode()


def test_bars_are_drawn_without_inline_style_and_the_share_is_written(english, units):
    for day in range(1, 11):
        file(units, created=at(day), channel="sms" if day <= 5 else "telegram")
    html = english.get(PUBLIC + QUERY).content.decode()
    assert '50.0%<meter class="stat-bar" min="0" max="5" value="5" aria-hidden="true"></meter>' in html
    assert "style=" not in html


# --------------------------------------------------------------------------------------------------
# Scope and access
# --------------------------------------------------------------------------------------------------
def test_an_investigator_counts_only_the_reports_of_their_province(signed_in, investigator, dataset):
    response = signed_in(investigator).get(STAFF + QUERY)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.reports == 3
    assert pairs(figures.by_province) == [("12", 3)]
    assert [code for code, _ in response.context["form"].fields["province"].choices] == ["", "12"]


def test_an_investigator_choosing_another_province_sees_nothing_of_it(
    signed_in, investigator, investigator_kandal, dataset
):
    assert signed_in(investigator).get(STAFF + QUERY + "&province=08").context["form"].errors["province"]
    figures = figures_for(investigator, province="08")
    assert figures.reports == 0
    assert figures_for(investigator_kandal).reports == 1


def test_a_nationwide_supervisor_counts_every_report(signed_in, cyber_supervisor, dataset):
    figures = signed_in(cyber_supervisor).get(STAFF + QUERY).context["figures"]
    assert figures.reports == 5
    assert pairs(figures.by_province) == [("08", 1), ("12", 3), ("", 1)]


def test_the_staff_page_needs_an_investigator(client, login, citizen, officer_kandal):
    assert client.get(STAFF).status_code == 302
    assert login(citizen).get(STAFF).status_code == 403
    assert login(officer_kandal).get(STAFF).status_code == 403
    assert login(officer_kandal).get(CSV.format("month")).status_code == 403


def test_the_staff_page_is_never_cached(signed_in, investigator):
    assert signed_in(investigator).get(STAFF)["Cache-Control"] == "private, no-store"


# --------------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------------
def test_the_default_period_is_the_last_twelve_months(english, units):
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        file(units, created=dt.datetime(2025, 6, 30, 23, tzinfo=PHNOM_PENH))  # too early
        file(units, created=dt.datetime(2025, 7, 1, 0, 30, tzinfo=PHNOM_PENH))  # the first month
        response = english.get(PUBLIC)
    figures = response.context["figures"]
    assert figures.period == Period(dt.date(2025, 7, 1), dt.date(2026, 6, 1))
    assert len(figures.by_month) == 12 and figures.reports == 1


def test_wrong_months_show_the_errors_and_keep_what_was_typed(english, units):
    response = english.get(PUBLIC + "?from_month=2026-13&to_month=March&province=99")
    assert response.status_code == 200 and response.context["figures"] is None
    html = response.content.decode()
    assert "There is a problem" in html and "<title>Error:" in html
    assert 'value="2026-13"' in html and 'value="March"' in html
    assert set(response.context["form"].errors) == {"from_month", "to_month", "province"}


def test_the_months_must_be_in_order_and_not_in_the_future(english, units):
    backwards = english.get(PUBLIC + "?from_month=2026-05&to_month=2026-03")
    assert "from_month" in backwards.context["form"].errors
    future = english.get(PUBLIC + "?to_month=2999-01")
    assert "to_month" in future.context["form"].errors
    too_long = english.get(PUBLIC + "?from_month=2015-01&to_month=2026-01")
    assert "from_month" in too_long.context["form"].errors


def test_months_may_be_typed_with_khmer_digits(english, dataset):
    response = english.get(PUBLIC + "?from_month=២០២៦-០៣&to_month=២០២៦-០៤")
    assert response.context["figures"].period == MARCH_APRIL


# --------------------------------------------------------------------------------------------------
# Public page: privacy, queries, cache
# --------------------------------------------------------------------------------------------------
def test_the_public_page_shows_no_personal_data(english, units):
    for day in range(1, 7):
        file(
            units,
            created=at(day),
            description="Sokha from Toul Kork sent photos",
            contact_email=f"victim{day}@example.com",
            contact_phone="012 345 678",
            on_behalf_of="Chan Dara",
            identifiers=[reports.IdentifierInput("097 111 2222")],
        )
    response = english.get(PUBLIC + QUERY)
    html = response.content.decode()
    assert response.status_code == 200 and ">6<" in html
    for personal in ("Sokha", "example.com", "345", "Chan Dara", "111", "CY-2026"):
        assert personal not in html


def test_the_public_page_runs_a_fixed_number_of_queries(english, dataset, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # the provinces, then one grouped query per table
        assert english.get(PUBLIC + QUERY).status_code == 200
    with django_assert_max_num_queries(1):  # the provinces of the filter; the figures come from the cache
        assert english.get(PUBLIC + QUERY).status_code == 200


def test_the_public_figures_are_cached_for_a_few_minutes(english, units):
    for day in range(1, 6):
        file(units, created=at(day))
    first = english.get(PUBLIC + QUERY)
    assert first.context["figures"].reports == 5
    assert "max-age=300" in first["Cache-Control"] and "private" in first["Cache-Control"]
    file(units, created=at(7))
    assert english.get(PUBLIC + QUERY).context["figures"].reports == 5
    cache.clear()
    assert english.get(PUBLIC + QUERY).context["figures"].reports == 6


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------
def test_a_table_is_downloaded_as_csv_with_exact_numbers_and_the_download_is_audited(
    signed_in, investigator, three_sextortion_reports
):
    response = signed_in(investigator).get(CSV.format("category") + QUERY)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "nokor-cyber-category-2026-03-2026-04.csv" in response["Content-Disposition"]
    lines = response.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0] == "Code,Kind of crime,Reports"
    assert lines[1:] == ["online-fraud,Online fraud or investment scam,7", f"sextortion,{SEXTORTION},3"]
    event = AuditEvent.objects.get(action="cyber.statistics_export")
    assert event.actor == investigator
    assert event.details == {
        "table": "category",
        "from_month": "2026-03",
        "to_month": "2026-04",
        "province": "",
        "rows": 2,
    }


def test_the_money_table_downloads_amounts_as_plain_numbers(signed_in, cyber_supervisor, dataset):
    lines = signed_in(cyber_supervisor).get(CSV.format("money_lost") + QUERY).content.decode().splitlines()
    assert lines[1] == "2026-03,March 2026,400000,1,120.50,2"
    assert lines[-1] == "total,Whole period,415000,2,120.50,2"


def test_the_money_frozen_table_downloads_each_currency_apart(
    signed_in, units, investigator, cyber_supervisor
):
    phnom_penh = make_case(units, cyber_supervisor, status=Case.Status.INVESTIGATING)
    freeze(phnom_penh, cyber_supervisor, frozen="250.00")
    freeze(phnom_penh, cyber_supervisor, frozen="800000", currency="KHR")
    freeze(make_case(units, cyber_supervisor, "08"), cyber_supervisor, frozen="99.00")  # not in scope
    lines = signed_in(investigator).get(CSV.format("money_frozen") + QUERY).content.decode().splitlines()
    assert lines[1:] == ["KHR,Riel,1,800000.00", "USD,US dollar,1,250.00"]


def test_an_unknown_table_or_wrong_filters_download_nothing(signed_in, investigator):
    client = signed_in(investigator)
    assert client.get(CSV.format("reporters")).status_code == 404
    assert client.get(CSV.format("month") + "?from_month=nonsense").status_code == 400
    assert not AuditEvent.objects.filter(action="cyber.statistics_export").exists()


def test_the_staff_page_links_each_table_to_its_download(signed_in, investigator):
    response = signed_in(investigator).get(STAFF + QUERY + "&province=12")
    urls = [table["csv_url"] for table in response.context["tables"]]
    assert urls[0] == "/cyber/staff/statistics/month.csv?from_month=2026-03&to_month=2026-04&province=12"
    assert len(urls) == len(statistics.TABLES)
