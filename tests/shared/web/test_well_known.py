"""/robots.txt lets search engines at the victims' start page and nothing else;
/.well-known/security.txt (RFC 9116) says whom to tell of a vulnerability."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from shared.config import ConfigError, security_contacts
from shared.factory import create_app

NOW = datetime(2027, 3, 28, 0, 30, tzinfo=UTC)


def _rules(robots: str) -> list[tuple[str, str]]:
    return [
        (field.strip().lower(), value.strip())
        for field, _, value in (line.partition(":") for line in robots.splitlines())
        if field.strip().lower() in ("allow", "disallow")
    ]


def _allowed(rules: list[tuple[str, str]], path: str) -> bool:
    """RFC 9309: the rule with the longest matching path wins, allow on a tie; `*` is
    any run of characters and a final `$` the end of the path."""

    def matches(pattern: str) -> bool:
        regex = re.escape(pattern.removesuffix("$")).replace(r"\*", ".*")
        return re.match(regex + ("$" if pattern.endswith("$") else ""), path) is not None

    found = [(len(pattern), kind == "allow") for kind, pattern in rules if pattern and matches(pattern)]
    return max(found, default=(0, True))[1]


def test_robots_may_index_the_start_page_and_nothing_else(app):
    response = app.test_client().get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "User-agent: *" in response.text
    rules = _rules(response.text)
    assert _allowed(rules, "/")
    for path in [
        "/sign-in",
        "/cases",
        "/cases/abc/rights",
        "/activate/some-token",
        "/reset-password/some-token",
        "/backoffice",
        "/backoffice/",
        "/backoffice/cases",
        "/api/v1/crimes",
        "/api/v1/openapi.json",
        "/language/cy",
        "/assets/app.css",
        "/health",
        "/?page=2",
    ]:
        assert not _allowed(rules, path), path
    # Every route of the app but the start page, whatever it is called.
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "x", rule.rule)
        assert _allowed(rules, path) == (path == "/"), path


def test_security_txt_names_the_contact_the_expiry_and_the_languages(app, monkeypatch, time_machine):
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setitem(
        app.config, "SECURITY_CONTACT", ("mailto:security@police.example", "https://police.example/vdp")
    )
    monkeypatch.setitem(app.config, "SECURITY_TXT_EXPIRES", timedelta(days=180))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://trackmycrime.police.example/")
    response = app.test_client().get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.text.splitlines() == [
        "Contact: mailto:security@police.example",
        "Contact: https://police.example/vdp",
        "Expires: 2027-09-24T00:00:00Z",
        "Preferred-Languages: en, cy",
        "Canonical: https://trackmycrime.police.example/.well-known/security.txt",
    ]


def test_security_txt_expires_in_the_future_and_within_a_year_whenever_it_is_read(
    app, monkeypatch, time_machine
):
    monkeypatch.setitem(app.config, "SECURITY_CONTACT", ("mailto:security@police.example",))
    for instant in (NOW, datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)):
        time_machine.move_to(instant, tick=False)
        text = app.test_client().get("/.well-known/security.txt").text
        expires = datetime.fromisoformat(
            re.search(r"^Expires: (.+)$", text, re.M).group(1).replace("Z", "+00:00")
        )
        assert instant < expires < instant + timedelta(days=365)
        # Served over plain http (the tests' address), it claims no canonical address.
        assert "Canonical" not in text


def test_without_a_contact_there_is_no_security_txt(app):
    assert app.config["SECURITY_CONTACT"] == ()
    assert app.test_client().get("/.well-known/security.txt").status_code == 404


def test_the_contact_setting_is_checked_when_the_app_starts():
    assert security_contacts(" security@police.example , tel:+44-20-7946-0000 ") == (
        "mailto:security@police.example",
        "tel:+44-20-7946-0000",
    )
    app = create_app({"APP_ENV": "testing", "SECURITY_CONTACT": "https://police.example/report"})
    assert app.config["SECURITY_CONTACT"] == ("https://police.example/report",)
    for bad in ["http://police.example/report", "security", "mailto:nobody", "ftp://police.example"]:
        with pytest.raises(ConfigError, match=r"^SECURITY_CONTACT must be"):
            create_app({"APP_ENV": "testing", "SECURITY_CONTACT": bad})
