"""A stand-in for a browser on a live site (tests/live_server.py), and the soak that many of them
make together.

A `Visitor` keeps its own cookies, reads each form from the page it is on and sends it back as a
browser would (hidden CSRF token, ticked boxes, chosen options, files as multipart), and follows
no redirect by itself, so that every answer can be checked.
"""

import hashlib
import io
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

from PIL import Image, ImageDraw

from tests.live_server import PASSWORD, Site

INCIDENT_PAGE = "/incidents/"  # then the new entry's UUID
SIGN_IN = "sign in"


@dataclass
class Response:
    path: str
    status: int
    headers: Message
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("Location", "")).path


@dataclass
class Form:
    action: str
    enctype: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    file_fields: list[str] = field(default_factory=list)


class _FormReader(HTMLParser):
    """The forms of a page, with what a browser would send for each as the page stands."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._textarea: list | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            enctype = a.get("enctype") or "application/x-www-form-urlencoded"
            self.forms.append(Form(action=a.get("action") or "", enctype=enctype))
            return
        if not self.forms or "disabled" in a or not a.get("name"):
            return
        form = self.forms[-1]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                form.file_fields.append(a["name"])
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    # As browsers do: "on" without a value attribute, an empty value as it is
                    # (the incident form's "Not answered yet" is value="").
                    value = a.get("value")
                    form.fields.append((a["name"], "on" if value is None else value))
            elif kind not in {"submit", "button", "image", "reset"}:
                form.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = {"name": a["name"], "first": None, "chosen": None}
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop the one newline that may follow <textarea>.
            self.forms[-1].fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            value = chosen if chosen is not None else self._select["first"]
            if value is not None:
                self.forms[-1].fields.append((self._select["name"], value))
            self._select = None


def find_form(page: Response, having: str) -> Form:
    """The form of `page` that has a field named `having`."""
    reader = _FormReader()
    reader.feed(page.text)
    for form in reader.forms:
        if having in form.file_fields or any(name == having for name, _ in form.fields):
            return form
    raise LookupError(f"No form with a field {having!r} on {page.path}")


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]):
    """Encode fields and (field, file name, content type, bytes) files as multipart/form-data."""
    boundary = f"----StalkerLogVisitor{secrets.token_hex(12)}"
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, content_type, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Visitor:
    """One browser: its own cookies (so its own sign-in), one request at a time."""

    def __init__(self, base_url: str, *, timeout: float = 60):
        self.base_url = base_url
        address = urlsplit(base_url)
        self.host, self.port = address.hostname, address.port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", headers=None) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = HTTPConnection(self.host, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Response(path, answer.status, answer.headers, content, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def submit(self, page: Response, *, having: str, typed: dict, files=()) -> Response:
        """Fill in the form of `page` that has the field `having`, and send it.

        `typed` replaces the values of the fields it names; `files` is a list of
        (field, file name, content type, bytes).
        """
        form = find_form(page, having)
        fields = [(name, value) for name, value in form.fields if name not in typed]
        fields += list(typed.items())
        action = urlsplit(urljoin(page.path, form.action or page.path)).path
        headers = {"Origin": self.base_url, "Referer": self.base_url + page.path}
        if form.enctype == "multipart/form-data":
            body, content_type = multipart(fields, list(files))
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        headers["Content-Type"] = content_type
        return self.request("POST", action, body, headers)

    def sign_in(self, username: str, password: str = PASSWORD) -> Response:
        page = self.get("/sign-in/")
        typed = {"username": username, "password": password}
        return self.submit(page, having="password", typed=typed)


def evidence_image(marker: str, *, side: int = 320, kind: str = "jpeg") -> bytes:
    """A small, real picture (JPEG or PNG) with the marker written on it: unique bytes."""
    seed = hashlib.sha256(marker.encode()).digest()
    image = Image.new("RGB", (side, side * 3 // 4), tuple(seed[:3]))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, side - 8, 40), fill=(255, 255, 255))
    draw.text((14, 18), marker, fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG" if kind == "jpeg" else "PNG", quality=85)
    return out.getvalue()


# --- the soak ---------------------------------------------------------------------------------


@dataclass
class Soak:
    """What a soak sent, what the site confirmed, and how long each answer took."""

    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)  # markers of the incidents saved
    uploads: dict[str, str] = field(default_factory=dict)  # marker: SHA-256 of the file saved
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def expect(self, label: str, response: Response, status: int) -> bool:
        with self.lock:
            if response.status != status:
                snippet = " ".join(response.text[:300].split())
                self.errors.append(f"{label} {response.path}: {response.status} {snippet}")
                return False
            self.timings.setdefault(label, []).append(response.seconds)
            return True

    def failed(self, label: str, error: Exception) -> None:
        with self.lock:
            self.errors.append(f"{label}: {type(error).__name__}: {error}")

    def _timed(self) -> list[list[float]]:
        """The answers of the timed part: the sign-ins come before it."""
        return [times for label, times in self.timings.items() if label != SIGN_IN]

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self._timed())

    def percentile(self, share: float, label: str | None = None) -> float:
        """The answer time below which `share` of the answers (with `label`, or all timed) fell."""
        chosen = [self.timings.get(label, [])] if label else self._timed()
        times = sorted(t for group in chosen for t in group)
        return times[min(len(times) - 1, int(share * len(times)))] if times else 0.0


def _round(visitor: Visitor, marker: str, number: int, soak: Soak) -> None:
    """One incident through the quick-entry form, then one picture through its upload form."""
    new = visitor.get("/incidents/new/")
    if not soak.expect("new incident page", new, 200):
        return
    typed = {"description": f"Waiting outside the house again. {marker}"}
    saved = visitor.submit(new, having="description", typed=typed)
    if not soak.expect("save incident", saved, 302):
        return
    if not saved.location.startswith(INCIDENT_PAGE) or saved.location == "/incidents/new/":
        soak.failed("save incident", ValueError(f"redirected to {saved.location}"))
        return
    with soak.lock:
        soak.incidents.append(marker)
    page = visitor.get(saved.location)
    if not soak.expect("incident page", page, 200):
        return
    kind, content_type = ("jpeg", "image/jpeg") if number % 2 else ("png", "image/png")
    picture = evidence_image(marker, kind=kind)
    files = [("files", f"{marker}.{kind}", content_type, picture)]
    uploaded = visitor.submit(page, having="files", typed={"caption": marker}, files=files)
    if soak.expect("upload", uploaded, 302):
        with soak.lock:
            soak.uploads[marker] = hashlib.sha256(picture).hexdigest()
    if number % 2 == 0:
        soak.expect("timeline", visitor.get("/timeline/"), 200)


def _client(base_url, username, index, start, soak, rounds, seconds) -> None:
    visitor = Visitor(base_url)
    try:
        signed_in = soak.expect(SIGN_IN, visitor.sign_in(username), 302)
    except Exception as error:  # whatever it is, it must not leave the others waiting
        soak.failed(SIGN_IN, error)
        signed_in = False
    start.wait()
    stop_at = time.monotonic() + seconds if seconds else float("inf")
    number = 0
    while signed_in and number < (rounds or float("inf")) and time.monotonic() < stop_at:
        marker = f"soak-{index:02}-{number:04}-{secrets.token_hex(4)}"
        try:
            _round(visitor, marker, number, soak)
        except Exception as error:  # a dropped connection, a page without its form
            soak.failed("round", error)
        number += 1


def soak(base_url: str, usernames: list[str], *, clients: int, rounds=None, seconds=None) -> Soak:
    """`clients` visitors at once, each signed in through the sign-in form (as one of
    `usernames`, in turn), each adding incidents and pictures: `rounds` each, or for `seconds`."""
    result = Soak()
    start = threading.Barrier(clients + 1)
    threads = [
        threading.Thread(
            target=_client,
            args=(base_url, usernames[i % len(usernames)], i, start, result, rounds, seconds),
            daemon=True,
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait()  # every visitor is signed in: the load starts now
    began = time.monotonic()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    return result


def soak_problems(site: Site, result: Soak) -> list[str]:
    """What the site's database and evidence storage hold, against what the soak was told was
    saved: each incident and picture exactly once, each picture on its incident, byte for byte,
    each in the custody log, and the app's own checks of files and log passing."""
    problems = _kept_problems(site, result)
    logged = dict(
        site.query(
            "SELECT action, count(*) FROM incidents_custodyentry "
            "WHERE object_type IN ('incident', 'evidence') GROUP BY action"
        )
    )
    if logged.get("created", 0) != len(result.incidents):
        problems.append(f"custody log: {logged.get('created', 0)} incidents created")
    if logged.get("uploaded", 0) != len(result.uploads):
        problems.append(f"custody log: {logged.get('uploaded', 0)} files uploaded")
    for command in ("verify_evidence", "verify_chain"):
        checked = site.manage(command, check=False)
        if checked.returncode:
            problems.append(f"{command}: {checked.stdout} {checked.stderr}".strip())
    return problems


def _kept_problems(site: Site, result: Soak) -> list[str]:
    problems = []
    described = site.query(
        "SELECT description FROM incidents_incident WHERE description LIKE %s", ("%soak-%",)
    )
    incidents = Counter(description.rsplit(" ", 1)[-1] for (description,) in described)
    if incidents != Counter(result.incidents):
        problems.append(f"incidents: sent {len(result.incidents)}, kept {incidents.total()}")
        problems += [f"incident {m} kept {n} times" for m, n in incidents.items() if n != 1]
    rows = site.query(
        "SELECT e.caption, e.sha256, e.stored_name, i.description FROM incidents_evidence e "
        "JOIN incidents_incident i ON i.id = e.incident_id WHERE e.caption LIKE %s",
        ("soak-%",),
    )
    pictures = Counter(caption for caption, *_ in rows)
    if pictures != Counter(result.uploads.keys()):
        problems.append(f"pictures: sent {len(result.uploads)}, kept {pictures.total()}")
        problems += [f"picture {m} kept {n} times" for m, n in pictures.items() if n != 1]
    for caption, sha256, stored_name, description in rows:
        original = site.data_dir / "evidence" / stored_name
        if not description.endswith(caption):
            problems.append(f"picture {caption} is on another incident")
        if sha256 != result.uploads.get(caption):
            problems.append(f"picture {caption} is not the file sent")
        elif hashlib.sha256(original.read_bytes()).hexdigest() != sha256:
            problems.append(f"picture {caption} changed on disk")
    return problems
