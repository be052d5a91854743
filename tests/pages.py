"""A test client that reads pages as a person would and checks each one's hygiene:
a title, one main heading, unique ids, a CSP nonce on every script, security headers,
an error summary whenever it answers 4xx to a form."""

import contextvars
import re
import time
from collections import Counter

from bs4 import BeautifulSoup


class Page:
    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        # A download (a PDF) is no text to read: its bytes are the response's.
        binary = response.mimetype.startswith(("application/pdf", "image/"))
        self.text = "" if binary else response.get_data(as_text=True)
        self.soup = BeautifulSoup(self.text, "html.parser")

    @property
    def title(self) -> str:
        return self.soup.title.get_text(strip=True) if self.soup.title else ""

    @property
    def h1(self) -> str:
        return self.soup.find("h1").get_text(" ", strip=True)

    @property
    def error_summary(self) -> list[str]:
        summary = self.soup.select_one(".govuk-error-summary")
        return [a.get_text(" ", strip=True) for a in summary.select("li")] if summary else []

    @property
    def main_text(self) -> str:
        return self.soup.find("main").get_text(" ", strip=True)

    def csrf(self) -> str:
        field = self.soup.find("input", attrs={"name": "csrf_token"})
        return field["value"]

    def links(self, pattern: str) -> list[str]:
        return [a["href"] for a in self.soup.find_all("a", href=True) if re.search(pattern, a["href"])]


class PageClient:
    """Wraps Flask's test client. `portal=True` also checks the rules for victims' pages:
    the Exit this page button, and no crime reference or offence in the title or URL."""

    def __init__(self, app, portal: bool = False):
        self.app = app
        self.http = app.test_client()
        self.portal = portal
        self.forbidden_in_title: list[str] = []

    def _check(self, response, path: str) -> Page:
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        headers = response.headers
        assert "nonce-" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        page = Page(response)
        if response.mimetype != "text/html" or response.status_code in (301, 302, 303):
            return page
        assert page.title, f"{path} has no title"
        assert len(page.soup.find_all("h1")) == 1, f"{path} must have one h1"
        ids = Counter(tag["id"] for tag in page.soup.find_all(id=True))
        assert not [i for i, n in ids.items() if n > 1], f"{path} repeats ids {ids.most_common(3)}"
        nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"]).group(1)
        for script in page.soup.find_all("script"):
            assert script.get("nonce") == nonce, f"{path} has a script without the CSP nonce"
        html_lang = page.soup.html.get("lang")
        assert html_lang in ("en", "cy")
        if self.portal and path.startswith("/") and not path.startswith("/backoffice"):
            assert page.soup.select_one(".govuk-exit-this-page"), f"{path} has no Exit this page button"
            for secret in self.forbidden_in_title:
                assert secret.lower() not in page.title.lower(), f"{path} title shows {secret!r}"
                assert secret.lower() not in path.lower(), f"{path} shows {secret!r} in the URL"
        return page

    def _request(self, method, path, **kwargs):
        # Each request runs in an empty context, so it gets its own app context (its
        # own `g` and database session), as it would in a server, even while the
        # test itself holds one.
        # Buffered, so that a streamed response (a CSV export) is read inside that
        # context too.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(getattr(self.http, method), path, **kwargs)

    def get(self, path: str, **kwargs) -> Page:
        return self._check(self._request("get", path, **kwargs), path)

    def post(self, path: str, data: dict | None = None, csrf_from: str | None = None, **kwargs) -> Page:
        """POST `data`, with the CSRF token taken from the form page at `csrf_from`
        (default: `path` itself)."""
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.get(csrf_from or path).csrf()
        return self._check(self._request("post", path, data=data, **kwargs), path)

    def follow(self, page: Page) -> Page:
        assert page.status in (302, 303), f"expected a redirect, got {page.status}"
        return self.get(page.response.headers["Location"])

    def staff_sign_in(self, email: str, password: str) -> Page:
        """Sign in with the password, then a code from the member's authenticator key
        (read from the database). Returns the redirect to the first page."""
        page = self.post("/backoffice/sign-in", {"email": email, "password": password})
        assert page.status == 302, page.error_summary
        code_step = page.response.headers["Location"]
        assert code_step.startswith("/backoffice/sign-in/code"), code_step
        page = self.post(code_step, {"code": self._fresh_code(email)})
        assert page.status == 302, page.error_summary
        return page

    def _fresh_code(self, email: str) -> str:
        """A code the service has not accepted yet: the current step's, else the next
        one's (the service accepts one step either side). A member who signs in a third
        time within 30 seconds has their last used step set back, in the test database
        only, since a real authenticator would make them wait."""
        import pyotp
        from sqlalchemy import select

        from shared.extensions import db
        from shared.models import StaffMember
        from shared.services.totp import opened_secret

        def work():
            with self.app.app_context():
                member = db.session.scalar(
                    select(StaffMember).where(StaffMember.email == email.strip().lower())
                )
                assert member is not None and member.totp_secret, f"{email} has no authenticator key"
                totp = pyotp.TOTP(opened_secret(member.totp_secret))
                now = totp.timecode(time.time())
                step = max(now, (member.totp_last_step or 0) + 1)
                if step > now + 1:
                    member.totp_last_step = now - 1
                    db.session.commit()
                    step = now
                return totp.generate_otp(step)

        return contextvars.Context().run(work)

    def victim_sign_in(self, email: str, password: str) -> Page:
        page = self.post("/sign-in", {"email": email, "password": password})
        assert page.status == 302, page.error_summary
        return page
