"""Public services online, in a real browser (issue acceptance): a citizen applies for a residence
certificate on a phone, in Khmer, saves a draft and comes back to it, sends it; the officer of Kandal
asks for a better copy of the ID document; the citizen uploads it again and answers; the officer
approves; the signed PDF is downloaded; anyone checks it through its QR link; the supervisor revokes it
and the check says so. Other people get 404.

Citizen pages are checked at 360 px (no sideways scrolling) and with axe, as are the officer's queue
pages; those checks are collected and reported together at the end, so one finding does not hide the
rest of the journey. Screenshots: docs/screenshots/services-<nn>-<step>.png."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e.helpers import Checks, main_text, run_ready_tasks, send, sign_in, t
from nokor.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from nokor.documents.models import Document
from nokor.documents.signing import SigningPaths, create_demo_ca
from nokor.geography.models import AdministrativeUnit, Level
from nokor.services import services as ops
from nokor.services.calendar import add_working_days
from nokor.services.calendar import today as cambodia_today
from nokor.services.catalogue import load_catalogue
from nokor.services.models import Application, Attachment, Service, Status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),  # pytest-playwright's base_url
]

SERVICE = "residence-certificate"
REFERENCE = re.compile(r"NK-\d{4}-\d{6}-\d")
VILLAGE = "08010101"  # Trapeang Pou, Ampov Prey commune (080101), Kandal
FULL_NAME = "សុខា ចាន់"
NATIONAL_ID_KHMER = "០១០ ២៣៤ ៥៦៧"  # typed in Khmer digits, stored as 010234567
PHONE_KHMER = "០១២ ៣៤៥ ៦៧៨"
HOUSE = "ផ្ទះលេខ ១២ ផ្លូវលេខ ២៧១"
PURPOSE_OTHER = "បើកគណនីសន្សំនៅសហគមន៍"
REQUEST_MESSAGE = "សូមផ្ញើរូបថតអត្តសញ្ញាណប័ណ្ណ ទាំងសងខាង ឱ្យច្បាស់។"
ANSWER_MESSAGE = "ខ្ញុំបានផ្ញើរូបថតថ្មី ទាំងសងខាងហើយ។"


# --------------------------------------------------------------------------------------------------
# Set-up: the catalogue, private media, the demo signing CA, QR links pointing at the live server
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory) -> SigningPaths:
    directory = tmp_path_factory.mktemp("signing")
    paths = SigningPaths(
        key=directory / "signing-key.pem", cert=directory / "signing-cert.pem", chain=directory / "chain.pem"
    )
    create_demo_ca(paths)
    return paths


@pytest.fixture
def services_site(settings, tmp_path, demo_ca, live_server, units):
    """The live server (same process: settings changed here apply to it) ready to issue documents."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_KEY_FILE = demo_ca.key
    settings.SIGNING_CERT_FILE = demo_ca.cert
    settings.SIGNING_CHAIN_FILE = demo_ca.chain
    settings.SITE_URL = live_server.url  # the QR code's link leads to this server
    load_catalogue()
    return live_server


# --------------------------------------------------------------------------------------------------
# Helpers of this journey
# --------------------------------------------------------------------------------------------------


def follow(page, locator) -> None:
    """Click a link or button that loads a new page, and wait for it."""
    assert locator.count() >= 1, f"nothing to click on {page.url}: {locator}"
    with page.expect_navigation():
        locator.first.click()


def save_and_continue(page, expected_path: str) -> None:
    send(page)
    assert page.url.endswith(expected_path), f"stayed on {page.url}:\n{main_text(page)}"


def png(label: str) -> dict:
    """A small PNG, as a browser file chooser gives it."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buffer, format="PNG")
    return {"name": label, "mimeType": "image/png", "buffer": buffer.getvalue()}


def status_tag(page) -> str:
    return page.locator("main .tag").first.inner_text().strip()


# --------------------------------------------------------------------------------------------------
# The journey
# --------------------------------------------------------------------------------------------------
def test_residence_certificate_from_application_to_revoked_document(
    new_page, services_site, citizen, other_citizen, officer_kandal, supervisor_kandal, officer_siem_reap
):
    checks = Checks("services")

    # ---- 1. The citizen applies, on a phone, in Khmer ------------------------------------------
    me = new_page("mobile")
    sign_in(me, citizen.email, DEMO_PASSWORD)
    me.wait_for_url("**/me/")
    me.goto("/services/")
    assert me.evaluate("document.documentElement.lang") == "km", "Khmer is the default language"
    checks.step(me, "catalogue")

    follow(me, me.locator(f"main a[href='/services/{SERVICE}/']"))
    assert me.locator("h1").inner_text().strip() == "លិខិតបញ្ជាក់ទីលំនៅ"
    checks.step(me, "service")

    follow(me, me.locator(f"main a[href='/services/{SERVICE}/eligibility/']"))
    me.check("input[name=citizen_adult][value=yes]")
    me.check("input[name=lives_there][value=yes]")
    checks.step(me, "eligibility")
    send(me)
    assert me.url.endswith(f"/services/{SERVICE}/start/"), main_text(me)

    me.check("input[name=who][value=me]")
    checks.step(me, "for-me")
    send(me)
    application = Application.objects.get(applicant=citizen, service__slug=SERVICE)
    base = f"/services/my/{application.pk}"
    assert me.url.endswith(f"{base}/page/name/"), main_text(me)
    assert application.status == Status.DRAFT and application.filed_by_id is None

    me.fill("input[name=full_name]", FULL_NAME)
    me.fill("input[name=latin_name]", "CHAN Sokha")
    checks.step(me, "page-name")
    save_and_continue(me, f"{base}/page/personal/")

    me.check("input[name=sex][value=female]")
    me.fill("input[name=date_of_birth]", "1990-04-17")
    checks.step(me, "page-personal")
    save_and_continue(me, f"{base}/page/identity/")

    me.fill("input[name=national_id]", NATIONAL_ID_KHMER)
    checks.step(me, "page-identity-khmer-digits")
    save_and_continue(me, f"{base}/page/contact/")

    me.fill("input[name=phone]", PHONE_KHMER)
    checks.step(me, "page-contact")
    save_and_continue(me, f"{base}/page/address/")

    # The village picker: typing narrows the choice (htmx); choose the village in the list.
    searches = []
    me.on("request", lambda request: "/units/search/" in request.url and searches.append(request.url))
    me.fill("#id_village", "ត្រពាំង")
    choice = me.locator(f"#id_village-results input[type=radio][value='{VILLAGE}']")
    try:
        choice.wait_for(state="visible", timeout=5_000)
        choice.check()
    except PlaywrightTimeout:
        checks.problem(
            "address page: typing 'ត្រពាំង' in the village search box showed no village to choose "
            f"(requests: {[unquote(url) for url in searches]}, results: "
            f"{me.locator('#id_village-results').inner_html()!r}); the journey goes on with the "
            "no-JavaScript path (the typed text is matched when the form is sent)"
        )
        me.fill("#id_village", "ត្រពាំងពោធិ៍")
    me.fill("input[name=house]", HOUSE)
    checks.step(me, "page-address-village-picker")

    # "Save and come back later": the draft is kept.
    send(me, me.locator("main form button[name=save_and_exit]"))
    assert me.url.endswith(f"{base}/"), main_text(me)
    application.refresh_from_db()
    assert application.answers["village"] == VILLAGE and application.answers["house"] == HOUSE
    assert application.answers["national_id"] == "010234567", "Khmer digits stored as digits"
    assert application.answers["phone"] == "+85512345678"
    assert status_tag(me) == t(me, "Draft")
    assert t(me, "Your answers are saved. You can come back to them from any device.") in me.content()
    checks.step(me, "draft-saved")

    # Later: My applications, the draft, continue.
    follow(me, me.locator("main a[href='/services/my/']"))
    assert me.url.endswith("/services/my/")
    assert t(me, "Not sent yet: continue where you stopped.") in main_text(me)
    checks.step(me, "my-applications-draft")
    follow(me, me.locator(f"main a[href='{base}/']"))
    follow(me, me.locator(f"main a.button[href^='{base}/page/']"))
    # "Continue where you stopped": the first question not answered yet (the move-in date).
    stopped_at = f"{base}/page/living_since/"
    if me.url.endswith(stopped_at):
        checks.step(me, "resumed")
    else:
        checks.problem(
            f"'Continue your application' on {base}/ led to {me.url}, not to the first unanswered page "
            f"{stopped_at} (My applications promises: 'continue where you stopped')"
        )
        assert me.input_value("input[name=full_name]") == FULL_NAME, "answers are kept"
        checks.step(me, "resumed")
        for page_id in ("personal", "identity", "contact", "address", "living_since"):
            if not me.url.endswith(f"{base}/page/{page_id}/"):
                save_and_continue(me, f"{base}/page/{page_id}/")
            if page_id == "identity":
                assert me.input_value("input[name=national_id]") in ("010234567", "010 234 567")
            if page_id == "address":
                assert t(me, "Chosen:") in me.locator("#id_village-picker").inner_text(), "village kept"
                assert me.input_value("input[name=house]") == HOUSE

    me.fill("input[name=living_since]", "2015-01-01")
    save_and_continue(me, f"{base}/page/purpose/")

    me.check("input[name=purpose][value=other]")
    me.fill("input[name=purpose_other]", PURPOSE_OTHER)
    checks.step(me, "page-purpose")
    save_and_continue(me, f"{base}/page/document/")

    me.set_input_files("input[name=id_document]", png("id-card.png"))
    checks.step(me, "page-document-upload")
    save_and_continue(me, f"{base}/check/")

    answers = main_text(me)
    for expected in (FULL_NAME, "010 234 567", "ត្រពាំងពោធិ៍", HOUSE, PURPOSE_OTHER, "id-card.png"):
        assert expected in answers, f"{expected!r} not on the check-answers page:\n{answers}"
    me.check("#id_confirm")
    checks.step(me, "check-answers")
    send(me)
    assert me.url.endswith(f"{base}/confirmation/"), main_text(me)
    reference = me.locator("main .reference").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    application.refresh_from_db()
    assert (application.reference, application.status, application.unit.code) == (
        reference,
        Status.SUBMITTED,
        VILLAGE[:6],
    ), "sent to the commune of the village"
    due = add_working_days(cambodia_today(), application.service.processing_days)
    if application.deadline != due or not reference.startswith(f"NK-{cambodia_today().year}-"):
        checks.problem(
            f"submitted on {cambodia_today()} in Cambodia: deadline {application.deadline} (expected {due}), "
            f"reference {reference}: dates are taken in UTC, not in Cambodia"
        )
    checks.step(me, "confirmation")

    # ---- 2. The officer of Kandal asks for more information -----------------------------------
    officer = new_page("desktop")
    sign_in(officer, officer_kandal.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    officer.wait_for_url("**/me/")
    officer.goto("/services/queue/")
    row = officer.locator(f"main table a[href='/services/queue/{application.pk}/']")
    assert row.inner_text().strip() == reference
    assert FULL_NAME in officer.locator("main table").inner_text()
    checks.step(officer, "officer-queue", phone=False)

    follow(officer, row)
    assert officer.url.endswith(f"/services/queue/{application.pk}/")
    checks.step(officer, "officer-application", phone=False)
    officer.locator("main details summary", has_text=t(officer, "Request more information")).click()
    request_form = officer.locator("main form[action$='/request-info/']")
    request_form.locator("textarea[name=message]").fill(REQUEST_MESSAGE)
    request_form.locator("input[name=fields][value=id_document]").check()
    checks.step(officer, "officer-request-information", a11y=False, phone=False)
    send(officer, request_form.locator("button[type=submit]"))
    application.refresh_from_db()
    assert application.status == Status.INFO_REQUESTED, main_text(officer)
    assert application.information_requests.get().fields == ["id_document"]
    assert status_tag(officer) == t(officer, "More information needed")

    # ---- 3. The citizen sees it, uploads the document again and answers -------------------------
    me.goto("/services/my/")
    assert status_tag(me) == "ត្រូវការព័ត៌មានបន្ថែម"  # "More information needed"
    checks.step(me, "my-applications-more-information-needed")
    follow(me, me.locator(f"main a[href='{base}/']"))
    assert REQUEST_MESSAGE in me.locator("main .notice--warning").inner_text()
    checks.step(me, "application-more-information-needed")
    follow(me, me.locator(f"main a[href='{base}/answer/']"))
    checks.step(me, "answer-the-office")
    follow(me, me.locator(f"main a[href='{base}/page/document/']"))
    assert "id-card.png" in main_text(me), "the file already sent is named"
    me.set_input_files("input[name=id_document]", png("id-card-both-sides.png"))
    checks.step(me, "upload-again")
    save_and_continue(me, f"{base}/answer/")
    me.fill("textarea[name=message]", ANSWER_MESSAGE)
    send(me)
    assert me.url.endswith(f"{base}/"), main_text(me)
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW and application.paused_at is None
    current = Attachment.objects.get(application=application, field_name="id_document", replaced=False)
    assert current.original_name == "id-card-both-sides.png" and current.content_type == "image/png"
    assert Attachment.objects.filter(application=application, replaced=True).count() == 1
    assert status_tag(me) == t(me, "Under review")
    checks.step(me, "answer-sent")

    # ---- 4. The officer approves; the document is rendered and signed; the citizen downloads it --
    officer.reload()  # the page of before the answer is out of date (its version would be refused)
    assert "id-card-both-sides.png" in main_text(officer)
    assert ANSWER_MESSAGE in main_text(officer)
    checks.step(officer, "officer-answer-received", phone=False)
    officer.locator("main details summary", has_text=t(officer, "Approve")).first.click()
    approve_form = officer.locator("main form[action$='/approve/']")
    send(officer, approve_form.locator("button[type=submit]"))
    application.refresh_from_db()
    assert application.status == Status.APPROVED and application.document_code, main_text(officer)
    code = application.document_code
    checks.step(officer, "officer-approved", phone=False)

    assert run_ready_tasks() >= 1
    document = Document.objects.get(code=code)
    assert document.render_status == Document.RenderStatus.READY, document.render_error
    if document.issued_on != cambodia_today():
        checks.problem(
            f"document issued on {document.issued_on}, but it is {cambodia_today()} in Cambodia "
            "(the verify page then says it was revoked the day after it was issued, minutes later)"
        )

    me.goto(f"{base}/")
    assert status_tag(me) == t(me, "Approved")
    download = me.locator(f"main a[href='/documents/{code}/download']")
    with me.expect_download() as info:
        download.click()
    downloaded = Path(info.value.path()).read_bytes()
    response = me.request.get(f"/documents/{code}/download")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == downloaded
    assert downloaded.startswith(b"%PDF") and b"/ByteRange" in downloaded, "a signed PDF"
    checks.step(me, "approved-download")

    # ---- 5. Anyone holding the paper follows its QR link: genuine -------------------------------
    visitor = new_page("mobile")
    assert document.verification_url().startswith(services_site.url)
    visitor.goto(document.verification_url())
    assert visitor.locator("main .notice .tag").inner_text().strip() == t(visitor, "Genuine") == "ត្រឹមត្រូវ"
    checks.step(visitor, "verify-genuine")

    # ---- 7. Access: another citizen and another province get 404 --------------------------------
    other = new_page("mobile", user=other_citizen)
    response = other.goto(f"{base}/")
    assert response.status == 404
    checks.step(other, "other-citizen-404")
    for path in (
        f"{base}/page/document/",
        f"/services/applications/{application.pk}/files/{current.pk}/",
        f"/documents/{code}/download",
    ):
        assert other.request.get(path).status == 404, path
    siem_reap = new_page("desktop", user=officer_siem_reap)
    response = siem_reap.goto(f"/services/queue/{application.pk}/")
    assert response.status == 404
    assert reference not in siem_reap.content()
    checks.step(siem_reap, "officer-other-province-404", a11y=False, phone=False)
    siem_reap.goto("/services/queue/")
    assert reference not in main_text(siem_reap)

    # ---- 6. The supervisor of Kandal revokes the document; the check then says so --------------
    supervisor = new_page("desktop")
    sign_in(supervisor, supervisor_kandal.email, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
    supervisor.wait_for_url("**/me/")
    supervisor.goto(f"/documents/{code}/")
    follow(supervisor, supervisor.locator(f"main a[href='/documents/{code}/revoke']"))
    supervisor.fill("textarea[name=reason]", "Issued on a forged family book page (case 2026/17).")
    checks.step(supervisor, "supervisor-revoke", phone=False)
    send(supervisor)
    assert supervisor.url.endswith(f"/documents/{code}/"), main_text(supervisor)
    document.refresh_from_db()
    assert document.status == "revoked" and document.revoked_reason.startswith("Issued on a forged")

    visitor.reload()
    assert visitor.locator("main .notice .tag").inner_text().strip() == t(visitor, "Revoked") == "ត្រូវបានដកហូត"
    assert "forged" not in main_text(visitor), "the public never sees the reason"
    checks.step(visitor, "verify-revoked")

    assert not checks.problems, "\n\n".join(checks.problems)


# --------------------------------------------------------------------------------------------------
# The village picker without JavaScript: type, send, choose from the places offered
# --------------------------------------------------------------------------------------------------
def test_village_picker_works_without_javascript(new_page, services_site, units, citizen):
    checks = Checks("services", first=60)
    AdministrativeUnit.objects.create(
        code="08010102",
        level=Level.VILLAGE,
        parent=units["080101"],
        name_km="ត្រពាំងស្វាយ",
        name_latin="Trapeang Svay",
        search_name=AdministrativeUnit.make_search_name("ត្រពាំងស្វាយ", "Trapeang Svay"),
    )
    application = ops.application_start(service=Service.objects.get(slug=SERVICE), applicant=citizen)
    address = f"/services/my/{application.pk}/page/address/"
    page = new_page("mobile", js=False, user=citizen)
    page.goto(address)
    assert page.evaluate("typeof window.htmx") == "undefined", "no script ran"
    offered = page.locator("main input[type=radio][name=village]")

    # The hint says the commune's name finds its villages.
    page.fill("#id_village", "អំពៅព្រៃ")  # Ampov Prey commune
    send(page)
    assert page.url.endswith(address)
    if offered.count() != 2:
        checks.problem(
            "address page without JavaScript: the commune name 'អំពៅព្រៃ' offers "
            f"{offered.count()} village(s), not its 2 villages, though the hint says 'type the name of the "
            f"village, commune or sangkat': {page.locator('main .error-summary').inner_text()!r}"
        )
    checks.step(page, "no-js-commune-name", a11y=False)  # axe needs scripts

    # Part of a village's name: the matching villages are offered, the typed text kept.
    page.fill("#id_village", "ត្រពាំង")
    send(page)
    assert page.url.endswith(address)
    assert page.locator("main .error-summary").is_visible()
    assert page.input_value("#id_village") == "ត្រពាំង", "what was typed is kept"
    assert sorted(offered.evaluate_all("els => els.map(e => e.value)")) == [VILLAGE, "08010102"]
    checks.step(page, "no-js-choose-village", a11y=False)
    page.check(f"main input[type=radio][name=village][value='{VILLAGE}']")
    send(page)
    assert page.url.endswith(f"/services/my/{application.pk}/page/living_since/"), main_text(page)
    application.refresh_from_db()
    assert application.answers["village"] == VILLAGE

    assert not checks.problems, "\n\n".join(checks.problems)
