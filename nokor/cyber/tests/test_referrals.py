"""Trafficking referrals: the flag in the queue and on the report, the list of reports waiting, referring
(audited, on the case's timeline), refusing a second referral to the same organisation, scope, and the
list of organisations loaded as reference data."""

from __future__ import annotations

from nokor.audit.models import AuditEvent
from nokor.cyber import cases, reference_data, referrals
from nokor.cyber.models import CaseEvent, Referral, ReferralOrganisation
from nokor.cyber.tests.factories_staff import (  # noqa: F401 (fixtures)
    cyber_data_fixture,
    english_fixture,
    file_report_fixture,
)

REFERRALS = "/cyber/staff/referrals/"


def refer_url(report) -> str:
    return f"/cyber/staff/reports/{report.reference}/refer/"


def test_the_organisations_are_loaded_as_reference_data():
    codes = set(ReferralOrganisation.objects.values_list("code", flat=True))
    assert codes == {data.code for data in reference_data.REFERRAL_ORGANISATIONS}
    assert ReferralOrganisation.objects.get(code="AHTJP-1288").phone == "1288"
    assert reference_data.load() == {"created": 0, "updated": 0}


def test_a_flagged_report_stands_out_and_waits_for_a_referral(english, investigator, file_report):
    flagged = file_report("@recruiter", trafficking=True)
    plain = file_report("012 345 678")
    client = english(investigator)

    assert "Possible trafficking" in client.get("/cyber/staff/reports/").content.decode()
    page = client.get(f"/cyber/staff/reports/{flagged.reference}/").content.decode()
    assert "Possible victim of trafficking into a scam compound" in page and 'id="refer"' in page
    waiting = client.get(REFERRALS).context["page_obj"]
    assert [report.reference for report in waiting] == [flagged.reference]
    assert plain not in waiting


def test_referring_a_report_records_it_on_the_case_and_in_the_audit(english, investigator, file_report):
    report = file_report("@recruiter", trafficking=True)
    case = cases.case_open(by=investigator, title="Compound in Sihanoukville", reports=[report])
    organisation = ReferralOrganisation.objects.get(code="IOM-KH")
    client = english(investigator)

    response = client.post(refer_url(report), {"organisation": organisation.pk, "note": "Held since May."})

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.report, referral.organisation, referral.referred_by) == (
        report,
        organisation,
        investigator,
    )
    assert referral.note == "Held since May."
    assert case.events.filter(kind=CaseEvent.Kind.REFERRAL, data__organisation="IOM-KH").exists()
    assert AuditEvent.objects.filter(action="cyber.referral_make", object_id=str(referral.pk)).exists()
    assert not client.get(REFERRALS).context["page_obj"].object_list
    referred = client.get(REFERRALS, {"tab": "referred"})
    assert [item.pk for item in referred.context["page_obj"]] == [referral.pk]


def test_a_second_referral_to_the_same_organisation_is_refused(english, investigator, file_report):
    report = file_report("@recruiter", trafficking=True)
    organisation = ReferralOrganisation.objects.get(code="CHAB-DAI")
    referrals.referral_make(report=report, by=investigator, organisation=organisation)

    response = english(investigator).post(
        refer_url(report), {"organisation": organisation.pk, "note": "Again"}
    )

    assert response.status_code == 200 and "already referred" in response.content.decode()
    assert Referral.objects.count() == 1


def test_choosing_no_organisation_shows_the_error(english, investigator, file_report):
    report = file_report("@recruiter", trafficking=True)
    response = english(investigator).post(refer_url(report), {"note": "Held since May."})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose the organisation to refer to." in body and "Held since May." in body
    assert not Referral.objects.exists()


def test_an_investigator_of_another_province_cannot_refer(english, investigator_kandal, file_report):
    report = file_report("@recruiter", trafficking=True)
    organisation = ReferralOrganisation.objects.get(code="IOM-KH")
    client = english(investigator_kandal)
    assert client.post(refer_url(report), {"organisation": organisation.pk}).status_code == 404
    assert not client.get(REFERRALS).context["page_obj"].object_list
    assert not Referral.objects.exists()
