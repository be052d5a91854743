"""Static files: every address a page gives carries a hash of the file's content and is
kept by browsers for a year; the plain names still work, with a short cache."""

import re
import shutil

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from shared.factory import create_app
from shared.web.static_files import LONG_CACHE, SHORT_CACHE, StaticFiles, fingerprinted, fingerprints

HASHED = re.compile(r"^/assets/(?:[\w-]+/)*[\w.-]+\.[0-9a-f]{12}\.\w+$")


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/assets/[^"]+)"', html)


@pytest.mark.parametrize("path", ["/", "/sign-in", "/backoffice/sign-in"])
def test_every_asset_a_page_links_carries_its_hash_and_is_kept_for_a_year(app, path):
    client = app.test_client()
    page = client.get(path, buffered=True).get_data(as_text=True)
    urls = _asset_urls(page)
    assert any(url.endswith(".css") for url in urls) and any(url.endswith(".js") for url in urls)
    for url in urls:
        assert HASHED.match(url), url
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == LONG_CACHE, url
        plain = client.get(re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", url), buffered=True)
        assert plain.data == response.data, url


def test_the_plain_names_still_work_with_a_short_cache(app):
    client = app.test_client()
    for url in [
        "/assets/app.css",
        "/assets/vendor/govuk-frontend.min.css",
        "/assets/vendor/govuk-frontend.min.js",
    ]:
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == SHORT_CACHE, url


def test_what_the_css_and_the_script_ask_for_by_their_plain_names_is_there(app):
    client = app.test_client()
    css = client.get("/assets/vendor/govuk-frontend.min.css", buffered=True).get_data(as_text=True)
    wanted = set(re.findall(r"url\((/assets/[^)]+)\)", css))
    assert any("/fonts/" in url for url in wanted) and any("/images/" in url for url in wanted)
    script = client.get("/assets/app.js", buffered=True).get_data(as_text=True)
    wanted |= {"/assets/" + name.removeprefix("./") for name in re.findall(r"from '([^']+)'", script)}
    for url in wanted:
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url


def test_a_name_with_a_hash_the_file_no_longer_has_is_not_found(app):
    response = app.test_client().get("/assets/app.000000000000.css", buffered=True)
    assert response.status_code == 404


def test_files_carry_the_headers_every_response_carries(app):
    client = app.test_client()
    url = app.extensions["static_fingerprints"]["app.css"]
    first, second = (
        client.get(f"/assets/{url}", headers={"X-Request-ID": "req-12345678"}, buffered=True)
        for _ in range(2)
    )
    # An id of the service's own, never the one the client sent.
    assert first.headers["X-Request-ID"] not in ("req-12345678", second.headers["X-Request-ID"])
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    nonces = [
        re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"]).group(1) for r in (first, second)
    ]
    assert nonces[0] != nonces[1]


def test_the_hash_goes_before_the_extension():
    assert (
        fingerprinted("vendor/govuk-frontend.min.css", b"x") == "vendor/govuk-frontend.min.2d711642b726.css"
    )
    assert fingerprinted("LICENCE", b"x") == "LICENCE.2d711642b726"
    assert fingerprinted(".hidden", b"x") == ".hidden.2d711642b726"


def test_a_changed_file_gets_a_new_address_and_the_old_one_stops_working(tmp_path):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "app.css").write_text("body { color: black; }")
    (tmp_path / "fonts" / "a.woff2").write_bytes(b"font")
    before = fingerprints(str(tmp_path))
    (tmp_path / "app.css").write_text("body { color: #0b0c0c; }")
    after = fingerprints(str(tmp_path))
    assert after["app.css"] != before["app.css"]
    assert after["fonts/a.woff2"] == before["fonts/a.woff2"]

    client = Client(StaticFiles(Response("not found", status=404), str(tmp_path), "/assets", after))
    assert client.get(f"/assets/{after['app.css']}", buffered=True).text == "body { color: #0b0c0c; }"
    assert client.get(f"/assets/{before['app.css']}", buffered=True).status_code == 404


def test_compressed_copies_are_served_beside_their_file_not_as_files_of_their_own(tmp_path):
    shutil.copy(__file__, tmp_path / "a.js")
    (tmp_path / "a.js.gz").write_bytes(b"")
    assert list(fingerprints(str(tmp_path))) == ["a.js"]


def test_in_development_files_are_served_as_they_are_on_disk():
    app = create_app({"APP_ENV": "development", "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        from flask import url_for

        assert url_for("static", filename="app.css") == "/assets/app.css"
    assert "static_fingerprints" not in app.extensions
