"""The load-test scenario of bench/load.sh (locust 2.47, in its own virtualenv bench/out/venv-load).

Three kinds of visitors, requests named by page ("/units/[id]") so that the
statistics group per page:

- Resident (weight 6): the communes, the maps and the unit layer of the API
  around Lessines, public unit pages, offers and calls;
- Entrepreneur (weight 3): logs in with one of the accounts of
  bench/load_setup.py (each simulated user its own), browses the calls and
  its applications, and applies once to the open call and to each published
  offer, a unique token in the motivation. Every success (a 303 to
  /applications/<id>) is written to writes-<pid>.jsonl before the next
  request: bench/load_check.py finds them in the database afterwards;
- Staff (weight 1): logs in, browses the inventory and unit pages, and
  records payments on leases when the leases module is there (it skips that
  task with a note otherwise); each payment that got a success answer is
  written like the applications.

Environment: LOAD_USERS (the JSON of load_setup.py), LOAD_ACCOUNTS ("0:60":
the slice of entrepreneur accounts this run may use: an account applies only
once per target), LOAD_WRITES (0: browse and log in only), LOAD_LOG_DIR
(where requests-<pid>.jsonl and writes-<pid>.jsonl go).

The app runs with POPUP_ENV=production, so its cookies are Secure; the test
talks plain HTTP on the loopback, so the client drops that flag from the
cookies it keeps (a browser behind the HTTPS proxy would send them).
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

DATA = json.loads(Path(os.environ.get("LOAD_USERS", "bench/out/load-users.json")).read_text())
LOG_DIR = Path(os.environ.get("LOAD_LOG_DIR", "bench/out/load-run"))
LOG_DIR.mkdir(parents=True, exist_ok=True)
WRITES = os.environ.get("LOAD_WRITES", "1") == "1"
_lo, _hi = (int(x) for x in os.environ.get("LOAD_ACCOUNTS", "0:60").split(":"))
ENTREPRENEUR_ACCOUNTS = list(DATA["entrepreneurs"][_lo:_hi])
STAFF_ACCOUNTS = DATA["staff"]
SLUG = DATA["commune"]
UNIT_IDS = DATA["public_unit_ids"]
CALL_ID = DATA["call_id"]
OFFER_IDS = DATA["offer_ids"]

# Lessines, as the map shows it: the whole town, then closer views of the centre.
BBOXES = (
    (3.80, 50.69, 3.87, 50.73),
    (3.82, 50.70, 3.85, 50.72),
    (3.830, 50.706, 3.842, 50.716),
    (3.833, 50.709, 3.839, 50.713),
)

APPLICATION_URL = re.compile(r"/applications/(\d+)$")
LOGIN_URL = re.compile(r"/login(\?|$)")

_requests_log = open(LOG_DIR / f"requests-{os.getpid()}.jsonl", "a", buffering=1)  # noqa: SIM115
_writes_log = open(LOG_DIR / f"writes-{os.getpid()}.jsonl", "a", buffering=1)  # noqa: SIM115
_notes: set[str] = set()


def note(text: str) -> None:
    """Print a remark once per run."""
    if text not in _notes:
        _notes.add(text)
        print(f"[locustfile] {text}", flush=True)


def record_write(entry: dict) -> None:
    """One write that got a success answer: on disk before the user goes on."""
    entry["t"] = time.time()
    _writes_log.write(json.dumps(entry) + "\n")
    _writes_log.flush()
    os.fsync(_writes_log.fileno())


def _excerpt(response) -> str:
    """What a person would read on an error page: its title and heading."""
    text = getattr(response, "text", "") or ""
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
    if title or heading:
        return " | ".join(m.group(1).strip() for m in (title, heading) if m)[:200]
    return text[:200]


@events.request.add_listener
def _log_request(request_type, name, response_time, response, exception, context=None, start_time=None, **_kw):
    """Every answer, for the statuses per page and the timeline of the fault run."""
    status = getattr(response, "status_code", 0) or 0
    headers = getattr(response, "headers", None) or {}
    _requests_log.write(
        json.dumps(
            {
                "start": start_time,
                "ms": round(response_time or 0, 1),
                "method": request_type,
                "name": name,
                "status": status,
                "error": None if exception is None else type(exception).__name__ + ": " + str(exception)[:200],
                "location": headers.get("Location") if 300 <= status < 400 else None,
                "account": (context or {}).get("account"),
                "body": _excerpt(response) if status >= 500 else None,
            }
        )
        + "\n"
    )


class Form:
    """One form of a page: its fields with their default values, its selects' options, its buttons."""

    def __init__(self, action: str) -> None:
        self.action = action
        self.fields: dict[str, str] = {}
        self.selects: dict[str, list[str]] = {}
        self.submits: list[str] = []


class FormParser(HTMLParser):
    """Every form of a page (the pages' forms post to their own address: no action to match)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or "")
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag in ("input", "button") and name:
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind == "submit":
                form.submits.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields[name] = a.get("value") or "y"
            else:
                form.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            form.selects[name] = []
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            form.selects[self._select].append(value)
            if "selected" in a:
                form.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form.fields[name] = ""

    def handle_endtag(self, tag):
        form = self._form
        if form is None:
            return
        if tag == "select" and self._select is not None:
            options = [o for o in form.selects[self._select] if o]
            form.fields.setdefault(self._select, options[0] if options else "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._form is not None and self._textarea is not None:
            self._form.fields[self._textarea] += data


def find_form(html: str, field: str) -> Form | None:
    """The first form of the page that has ``field`` (with its CSRF token), or None."""
    parser = FormParser()
    parser.feed(html)
    return next((f for f in parser.forms if field in f.fields and "csrf_token" in f.fields), None)


def judge(response, ok) -> None:
    if response.status_code in ok:
        response.success()
    elif not response.status_code:
        response.failure(f"no answer: {response.error!r}"[:300])
    else:
        response.failure(f"status {response.status_code}")


def unsecure_cookies(client) -> None:
    for cookie in client.cookies:
        cookie.secure = False


class Visitor(HttpUser):
    abstract = True
    wait_time = between(1, 5)
    account: dict | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One connection per request, as nginx talks to gunicorn (HTTP/1.0 to upstreams by default).
        # Kept-alive connections race with gunicorn's keep-alive timeout (2 s, shorter than the
        # think time): the server closes one just as the client reuses it, and the request fails
        # with no answer, which a proxy or a browser would have retried.
        self.client.headers["Connection"] = "close"

    def context(self) -> dict:
        return {"account": self.account["email"] if self.account else None}

    def get(self, url: str, name: str, ok=(200,), **kwargs):
        """GET and judge the answer: anything but ``ok`` is a failure."""
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False, **kwargs) as response:
            judge(response, ok)
            unsecure_cookies(self.client)
            return response

    def post(self, url: str, name: str, data: dict, ok=(302, 303)):
        with self.client.post(url, name=name, data=data, catch_response=True, allow_redirects=False) as response:
            judge(response, ok)
            unsecure_cookies(self.client)
            return response

    # -- what everyone sees --------------------------------------------------------

    def browse_map(self):
        self.get("/map", "/map")
        self.api_units()

    def api_units(self):
        minlon, minlat, maxlon, maxlat = random.choice(BBOXES)
        self.get(
            f"/api/v1/units?bbox={minlon},{minlat},{maxlon},{maxlat}", f"/api/v1/units?bbox=[{maxlon - minlon:.3f}°]"
        )

    def unit_page(self):
        self.get(f"/units/{random.choice(UNIT_IDS)}", "/units/[id]")

    def offers(self):
        self.get("/offers", "/offers")
        self.get(f"/offers/{random.choice(OFFER_IDS)}", "/offers/[id]")

    def calls(self):
        self.get("/calls", "/calls")
        self.get(f"/calls/{CALL_ID}", "/calls/[id]")

    # -- logging in ----------------------------------------------------------------

    def log_in(self, account: dict) -> bool:
        page = self.get("/login", "/login")
        if page.status_code != 200:
            return False
        form = find_form(page.text, "password")
        if form is None:
            note("no login form on /login")
            return False
        fields = dict(form.fields)
        fields.update(email=account["email"], password=account["password"])
        fields.pop("remember", None)
        answer = self.post("/login", "/login [POST]", fields, ok=(302, 303))
        return answer.status_code in (302, 303) and not LOGIN_URL.search(answer.headers.get("Location", ""))

    def still_logged_in(self, response) -> bool:
        return not (response.status_code in (302, 303) and LOGIN_URL.search(response.headers.get("Location", "")))


class Resident(Visitor):
    weight = 6

    @task(1)
    def home(self):
        self.get("/", "/")

    @task(2)
    def commune(self):
        self.get(f"/c/{SLUG}", "/c/[slug]")

    @task(2)
    def map(self):
        self.browse_map()

    @task(4)
    def layer(self):
        self.api_units()

    @task(4)
    def unit(self):
        self.unit_page()

    @task(1)
    def offer_list(self):
        self.offers()

    @task(1)
    def call_list(self):
        self.calls()


class Entrepreneur(Visitor):
    weight = 3

    def on_start(self):
        self.account = ENTREPRENEUR_ACCOUNTS.pop(0) if ENTREPRENEUR_ACCOUNTS else None
        if self.account is None:
            note("no entrepreneur account left for this run: the extra entrepreneurs only browse")
        self.logged_in = False
        self.applications: list[int] = []
        offers = [("offer", o) for o in OFFER_IDS]
        random.shuffle(offers)
        self.targets = [("call", CALL_ID), *offers] if WRITES else []  # the call first, then the offers

    def ensure_login(self) -> bool:
        if self.account is None:
            return False
        if not self.logged_in:
            self.logged_in = self.log_in(self.account)
        return self.logged_in

    @task(3)
    def browse(self):
        random.choice((self.calls, self.offers, self.browse_map, self.unit_page))()

    @task(2)
    def mine(self):
        if not self.ensure_login():
            return self.calls()
        response = self.get("/my/applications", "/my/applications", ok=(200,))
        self.logged_in = self.still_logged_in(response)
        if self.applications:
            self.get(f"/applications/{random.choice(self.applications)}", "/applications/[id]")

    @task(2)
    def apply(self):
        if not self.targets or not self.ensure_login():
            return self.browse()
        kind, target = self.targets[0]
        url = f"/{kind}s/{target}/apply"
        name = f"/{kind}s/[id]/apply"
        form = self.get(url, name)
        if not self.still_logged_in(form):
            self.logged_in = False
            return
        if form.status_code != 200:
            return
        parsed = find_form(form.text, "motivation")
        if parsed is None:
            note(f"no application form on {url} (already applied, closed or profile incomplete?)")
            self.targets.pop(0)
            return
        fields = dict(parsed.fields)
        token = f"LOAD-{uuid.uuid4().hex}"
        fields["motivation"] = f"Candidature de charge {token}: un test de boutique éphémère."
        fields["submit_now"] = "Submit now"
        fields.pop("save_draft", None)
        answer = self.post(url, f"{name} [POST]", fields, ok=(303,))
        location = answer.headers.get("Location", "")
        match = APPLICATION_URL.search(location)
        if answer.status_code == 303 and match:
            record_write(
                {
                    "kind": "application",
                    "token": token,
                    "application_id": int(match.group(1)),
                    "target": kind,
                    "target_id": target,
                    "email": self.account["email"],
                }
            )
            self.applications.append(int(match.group(1)))
            self.targets.pop(0)
        else:
            # Not acknowledged: bench/load_check.py tells whether it was saved all the same.
            record_write({"kind": "application_unacknowledged", "token": token, "status": answer.status_code,
                          "target": kind, "target_id": target, "email": self.account["email"]})  # fmt: skip
            if answer.status_code == 409:
                # An earlier attempt was saved but its answer was lost (or refused): do not try again.
                self.targets.pop(0)
            # Anything else (a 5xx, a dropped connection): the next apply task tries this target again.


class Staff(Visitor):
    weight = 1

    def on_start(self):
        self.account = random.choice(STAFF_ACCOUNTS)
        self.logged_in = False
        self.lease_ids: list[int] | None = None if WRITES else []

    def ensure_login(self) -> bool:
        if not self.logged_in:
            self.logged_in = self.log_in(self.account)
        return self.logged_in

    @task(3)
    def inventory(self):
        if not self.ensure_login():
            return
        page = random.choice(("", "?page=2", "?status=vacant", "?sort=address", f"?commune={SLUG}"))
        response = self.get(f"/units{page}", "/units (inventory)")
        self.logged_in = self.still_logged_in(response)

    @task(3)
    def unit(self):
        if not self.ensure_login():
            return
        response = self.get(f"/units/{random.choice(UNIT_IDS)}", "/units/[id] (staff)")
        self.logged_in = self.still_logged_in(response)

    @task(1)
    def calls_and_applications(self):
        if not self.ensure_login():
            return
        self.get(f"/calls/{CALL_ID}", "/calls/[id] (staff)")

    @task(2)
    def record_payment(self):
        """A payment on a lease of the commune, when the leases module is there."""
        if not self.ensure_login():
            return
        if self.lease_ids is None:
            self.lease_ids = self._find_leases()
        if not self.lease_ids:
            return self.unit()
        lease_id = random.choice(self.lease_ids)
        url = f"/leases/{lease_id}/payments/new"
        form = self.get(url, "/leases/[id]/payments/new")
        if form.status_code != 200:
            return
        parsed = find_form(form.text, "reference")
        if parsed is None:
            note(f"no payment form on {url}: payments skipped")
            self.lease_ids = []
            return
        fields = dict(parsed.fields)
        reference = f"LOAD-{uuid.uuid4().hex[:24]}"
        # Lead: the fields of popup/leases/forms.py PaymentForm as on the wt-lease branch
        # (payer_id, amount, paid_on, payer, method, reference); the selects keep their first choice.
        fields["amount"] = "12,34"
        fields["reference"] = reference
        fields.setdefault("paid_on", date.today().isoformat())
        fields["paid_on"] = fields["paid_on"] or date.today().isoformat()
        for submit in parsed.submits:
            fields.pop(submit, None)
        answer = self.post(url, "/leases/[id]/payments/new [POST]", fields, ok=(302, 303))
        if answer.status_code in (302, 303) and not LOGIN_URL.search(answer.headers.get("Location", "")):
            record_write({"kind": "payment", "reference": reference, "lease_id": lease_id})

    def _find_leases(self) -> list[int]:
        """Lessines' leases (404: no leases module in this tree)."""
        known = DATA.get("lease_ids") or []
        response = self.get(f"/c/{SLUG}/leases", "/c/[slug]/leases", ok=(200, 404))
        if response.status_code == 404:
            note(f"no lease payment route (/c/{SLUG}/leases answers 404): payments skipped ({DATA.get('leases_note')})")
            return []
        if response.status_code != 200:
            return known
        found = sorted({int(i) for i in re.findall(r'href="/leases/(\d+)"', response.text)})
        lease_ids = known or found
        if not lease_ids:
            note("the leases module is there but Lessines has no lease: payments skipped (see load_setup._leases)")
        return lease_ids
