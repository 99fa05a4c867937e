"""The browser side of deploy/container-check.sh, with Python's standard library only: create
the first account with the setup code, log an incident, have the worker make a dossier, and
after a restart sign in again and find both. Prints one line per step; exits 1 on a failure."""

import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

USERNAME = "check"
PASSWORD = "a long check password 2026"  # noqa: S105 (a throwaway account in a test container)
NOTE = "Container check: a grey van waited outside for ten minutes."


class Browser:
    def __init__(self, base: str):
        if not base.startswith(("http://", "https://")):
            raise ValueError(f"not a web address: {base}")
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, str, bytes]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 (checked above)

    def post(self, path: str, fields: dict) -> tuple[int, str, bytes]:
        _, _, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        data = {**fields, "csrfmiddlewaretoken": token.group(1).decode() if token else ""}
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(  # noqa: S310 (checked in __init__)
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        return self._open(request)

    def _open(self, request) -> tuple[int, str, bytes]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.url, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read()


def fail(message: str) -> None:
    print(f"FAIL  {message}")
    sys.exit(1)


def setup(base: str, code: str) -> None:
    browser = Browser(base)
    status, url, page = browser.post(
        "/setup/",
        {
            "setup_code": code,
            "username": USERNAME,
            "time_zone": "Europe/Berlin",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    if status != 200 or "/account/two-factor/start/" not in url:
        fail(f"setup: expected the two-factor offer, got {status} {url}")
    codes = re.findall(rb"<li><code>([a-z2-9-]{19})</code></li>", page)
    print(f"ok    account '{USERNAME}' created with the setup code; {len(codes)} recovery codes")
    started = time.monotonic()
    status, url, _ = browser.post(
        "/incidents/new/", {"occurred_at": "2026-01-05T18:30", "description": NOTE}
    )
    if status != 200 or "/incidents/" not in url:
        fail(f"incident: {status} {url}")
    status, url, page = browser.post("/dossier/", {"kind": "dossier", "paper": "A4"})
    if status != 200 or "/exports/" not in url:
        fail(f"dossier: {status} {url} {page[:300]!r}")
    export = urllib.parse.urlparse(url).path
    while time.monotonic() - started < 180:
        state = json.loads(browser.get(export + "status/")[2])
        if state["finished"]:
            break
        time.sleep(1)
    status, _, pdf = browser.get(export + "download/")
    if status != 200 or not pdf.startswith(b"%PDF"):
        fail(f"dossier: the worker did not make it ({state})")
    seconds = time.monotonic() - started
    print(f"ok    dossier made by the worker: {len(pdf)} bytes of PDF in {seconds:.1f} s")
    with open(".container-check-export", "w") as f:
        f.write(export)


def after_restart(base: str) -> None:
    browser = Browser(base)
    status, url, _ = browser.post("/sign-in/", {"username": USERNAME, "password": PASSWORD})
    if status != 200 or "/sign-in/" in url:
        fail(f"sign-in after the restart: {status} {url}")
    _, _, timeline = browser.get("/timeline/")
    if NOTE.encode() not in timeline.replace(b"&#x27;", b"'"):
        fail("the incident is gone after the restart")
    with open(".container-check-export") as f:
        export = f.read()
    status, _, pdf = browser.get(export + "download/")
    if status != 200 or not pdf.startswith(b"%PDF"):
        fail(f"the dossier is gone after the restart ({status})")
    print("ok    after down && up: signed in, the incident and the dossier are still there")


if __name__ == "__main__":
    step, base = sys.argv[1], sys.argv[2]
    if step == "setup":
        setup(base, sys.argv[3])
    else:
        after_restart(base)
