"""The people of the load test (bench/load.py): Locust users that walk Nokor's real journeys.

Each class is one kind of person, weighted by how often they come: citizens who browse the catalogue,
sign in, apply with an upload through the real forms (CSRF tokens read from each page, as a browser
does) and check their applications; officers of the services queue (signed in past the second factor,
the way the benchmark signs staff in: bench/signin.py) who open their queue, an application and act on
it; people checking a phone number or a web site against the scam list (page, API without and with a
partner's key); people verifying a certificate; leaders and the public reading the plan's dashboards.

Every response is checked: a signed-in page that lands on the sign-in form, a form sent back with an
error, or a missing CSRF token is a failure, whatever its status. Think times are 1–3 s.

``JOURNEYS`` carries what the users need from the run (seed facts, session cookies, the demo password);
bench/load.py fills it before the first user starts.
"""

from __future__ import annotations

import io
import itertools
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

from locust import HttpUser, between, task
from PIL import Image

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUEUE_LINK_RE = re.compile(r'href="/services/queue/([0-9a-f-]{36})/"')
MY_LINK_RE = re.compile(r'href="/services/my/([0-9a-f-]{36})/"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
SIGN_IN = "/accounts/login/"
TIMEOUT_S = 30  # a person gives up on a page after this long: an error ("no answer")
SERVICE = "residence-certificate"
# The answers of the residence certificate's pages, as a person types them (tests/test_views.py).
PAGES = {
    "name": {"full_name": "សុខា ចាន់", "latin_name": "Sokha Chan"},
    "personal": {"sex": "female", "date_of_birth": "17/04/1990"},
    "identity": {"national_id": "០១០ ២៣៤ ៥៦៧"},
    "contact": {"phone": "012 345 678"},
    "address": {"village": "08010101", "house": "No. 12"},
    "living_since": {"living_since": "2015-01-01"},
    "purpose": {"purpose": "bank"},
}
# Phone numbers of Cambodian operators, written as people write them: most checks ask about a number
# nobody reported.
PREFIXES = ("012", "015", "016", "010", "096", "097", "088")


def _photo() -> bytes:
    """A phone photo of an identity card as people upload it: a JPEG of about 200 KB."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", (640, 480), bytes(rng.getrandbits(8) for _ in range(640 * 480 * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


@dataclass
class Journeys:
    """What the users need from the run; filled by bench/load.py."""

    facts: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, list[str]] = field(default_factory=dict)  # demo person → "name=value" cookies
    citizens: dict[str, str] = field(default_factory=dict)  # demo citizens (key → e-mail) who sign in
    password: str = ""
    # Every simulated person comes from 127.0.0.1, so the server's per-address limit of sign-ins (30 a
    # minute) applies to all of them together: real sign-ins are spaced to stay under it, and a citizen
    # who would exceed it starts from a session signed in beforehand instead (counted in ``reused``).
    sign_ins_per_minute: int = 24
    sign_in_times: list[float] = field(default_factory=list)
    real_sign_ins: int = 0
    reused: int = 0
    photo: bytes = b""
    _cycles: dict[str, itertools.cycle] = field(default_factory=dict)

    def session(self, person: str) -> str:
        """The next session cookie of ``person`` (round robin over the ones signed in beforehand)."""
        if person not in self._cycles:
            self._cycles[person] = itertools.cycle(self.sessions[person])
        return next(self._cycles[person])

    def may_sign_in(self) -> bool:
        """Whether a real sign-in now stays under the per-address limit (and take the slot if so)."""
        now = time.monotonic()
        self.sign_in_times[:] = [t for t in self.sign_in_times if now - t < 60]
        if len(self.sign_in_times) >= self.sign_ins_per_minute:
            return False
        self.sign_in_times.append(now)
        return True


JOURNEYS = Journeys()


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def use_session(self, person: str) -> None:
        name, _, value = JOURNEYS.session(person).partition("=")
        self.client.cookies.set(name, value, domain="127.0.0.1", path="/")

    def page(
        self, path: str, *, name: str | None = None, expect: str | None = None, form: bool = False
    ) -> str:
        """GET a page that must answer 200 (after redirects) without landing on the sign-in form, holding
        ``expect`` and, with ``form``, a CSRF token; return its text ('' on failure)."""
        with self.client.get(path, name=name or path, timeout=TIMEOUT_S, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return ""
            if SIGN_IN in response.url and not path.startswith(SIGN_IN):
                response.failure("landed on the sign-in page")
                return ""
            for needed in (expect, 'name="csrfmiddlewaretoken"' if form else None):
                if needed and needed not in response.text:
                    response.failure(f"{needed!r} not in the page")
                    return ""
            return response.text

    def send(self, path: str, data: dict, *, name: str, token: str, files: dict | None = None) -> str:
        """POST a form with its CSRF token; it must redirect (302) somewhere other than the sign-in page;
        return where ('' on failure). A form sent back (200) means it was refused: a failure."""
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **data},
            files=files,
            name=name,
            allow_redirects=False,
            timeout=TIMEOUT_S,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
                return ""
            if location.startswith(SIGN_IN):
                response.failure("sent to the sign-in page")
                return ""
            return location

    def form(self, path: str, *, name: str, expect: str | None = None) -> str:
        """GET a page with a form; return its CSRF token ('' on failure)."""
        match = CSRF_RE.search(self.page(path, name=name, expect=expect, form=True))
        return match.group(1) if match else ""


class Citizen(Person):
    """Browses the catalogue and a service, signs in, applies for a residence certificate page by page
    (an identity photo uploaded), submits it, then checks the status of their applications."""

    weight = 5

    def on_start(self) -> None:
        if JOURNEYS.may_sign_in():
            token = self.form(SIGN_IN, name=SIGN_IN)
            email = random.choice(list(JOURNEYS.citizens.values()))
            if token and self.send(
                SIGN_IN,
                {"login": email, "password": JOURNEYS.password},
                name=SIGN_IN + " (sign in)",
                token=token,
            ):
                JOURNEYS.real_sign_ins += 1
                return
        JOURNEYS.reused += 1
        self.use_session(random.choice(list(JOURNEYS.citizens)))

    @task(3)
    def browse(self) -> None:
        self.page("/services/", expect=f'href="/services/{SERVICE}/"')
        self.wait()
        self.page(f"/services/{SERVICE}/", name="/services/[service]/")

    @task(2)
    def check_status(self) -> None:
        text = self.page("/services/my/")
        ids = MY_LINK_RE.findall(text)
        if ids:
            self.wait()
            self.page(f"/services/my/{random.choice(ids[:10])}/", name="/services/my/[id]/")

    @task(1)
    def apply(self) -> None:
        base = f"/services/{SERVICE}"
        token = self.form(f"{base}/eligibility/", name="/services/[service]/eligibility/")
        if not token:
            return
        start = self.send(
            f"{base}/eligibility/",
            {"citizen_adult": "yes", "lives_there": "yes"},
            name="/services/[service]/eligibility/ (answer)",
            token=token,
        )
        if not start:
            return
        token = self.form(start, name="/services/[service]/start/")
        location = token and self.send(
            start, {"who": "me"}, name="/services/[service]/start/ (start)", token=token
        )
        if not location:
            return
        draft = location.split("/page/")[0]  # /services/my/<id>
        for page_id, data in [*PAGES.items(), ("document", None)]:
            self.wait()
            name = f"/services/my/[id]/page/{page_id}/"
            token = self.form(f"{draft}/page/{page_id}/", name=name)
            files = None
            if data is None:
                data, files = {}, {"id_document": ("card.jpg", JOURNEYS.photo, "image/jpeg")}
            if not token or not self.send(
                f"{draft}/page/{page_id}/", data, name=name + " (save)", token=token, files=files
            ):
                return
        token = self.form(f"{draft}/check/", name="/services/my/[id]/check/", expect="Sokha Chan")
        if token and self.send(
            f"{draft}/check/", {"confirm": "on"}, name="/services/my/[id]/check/ (submit)", token=token
        ):
            self.page(f"{draft}/confirmation/", name="/services/my/[id]/confirmation/", expect="NK-")


class Officer(Person):
    """A services officer of Kandal (or its supervisor) works the queue: a page of it, an application
    (its detail is an audited view of personal data), a note on it or, now and then, taking it."""

    weight = 2

    def on_start(self) -> None:
        self.use_session(random.choice(("officer_kandal", "officer_kandal", "supervisor_kandal")))

    @task
    def work_queue(self) -> None:
        page = random.choice(("", "", "?page=2", "?page=3"))
        text = self.page(f"/services/queue/{page}", name="/services/queue/", expect='aria-sort="ascending"')
        ids = QUEUE_LINK_RE.findall(text)
        if not ids:
            return
        self.wait()
        pk = random.choice(ids)
        detail = f"/services/queue/{pk}/"
        text = self.page(detail, name="/services/queue/[id]/")
        match = CSRF_RE.search(text)
        if not match:
            return
        self.wait()
        version = VERSION_RE.search(text)
        if version and random.random() < 0.2:
            action, data = "claim", {"version": version.group(1)}
        else:
            action, data = "note", {"text": "Called the applicant: the photo of the card is readable."}
        self.send(f"{detail}{action}/", data, name=f"/services/queue/[id]/{action}/", token=match.group(1))


def _phone() -> str:
    return f"{random.choice(PREFIXES)} {random.randrange(1000):03d} {random.randrange(1000):03d}"


class ScamChecker(Person):
    """Someone checks a number that called them: the public page, or an app using the API (without a
    key, per-address limits; with a partner's key, the key's own limit)."""

    weight = 3

    def query(self) -> str:
        cyber = JOURNEYS.facts.get("cyber", {})
        if cyber and random.random() < 0.3:
            return cyber["listed_phone_written"]
        return _phone()

    @task(2)
    def check_page(self) -> None:
        self.page("/cyber/check/")
        self.wait()
        self.page(f"/cyber/check/?q={self.query()}", name="/cyber/check/?q=[number]", expect="notice")

    @task(2)
    def check_api(self) -> None:
        self.page(f"/api/v1/scam-check?q={self.query()}", name="/api/v1/scam-check", expect='"listed"')

    @task(1)
    def check_api_with_key(self) -> None:
        token = JOURNEYS.facts.get("integrations", {}).get("token")
        with self.client.get(
            f"/api/v1/scam-check?q={self.query()}",
            name="/api/v1/scam-check (API key)",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_S,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or '"normalized"' not in response.text:
                response.failure(f"status {response.status_code}")


class Verifier(Person):
    """A bank clerk verifies the code printed on a certificate: typed into the page, or by the API;
    now and then a mistyped code (answered "unknown", not an error)."""

    weight = 1

    def code(self) -> str:
        code = JOURNEYS.facts.get("services", {}).get("document_code", "")
        if not code or random.random() < 0.2:
            return "".join(random.choice("ABCDEFGHJKMNPQRSTVWXYZ23456789") for _ in range(17))
        return code

    @task(2)
    def verify_page(self) -> None:
        self.page("/verify/")
        self.wait()
        self.page(f"/verify/?code={self.code()}", name="/verify/[code]")

    @task(1)
    def verify_api(self) -> None:
        self.page(f"/api/v1/documents/{self.code()}/verify", name="/api/v1/documents/[code]/verify")


class Leadership(Person):
    """The plan's approver reads the leadership dashboard; the public reads the transparency page and the
    services' performance page."""

    weight = 1

    def on_start(self) -> None:
        self.use_session("approver")

    @task(2)
    def dashboard(self) -> None:
        self.page("/plan/dashboard/", expect="dashboard-card")

    @task(1)
    def public_pages(self) -> None:
        self.page("/plan/public/")
        self.wait()
        self.page("/services/performance/")


USER_CLASSES = [Citizen, Officer, ScamChecker, Verifier, Leadership]
