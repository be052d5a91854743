"""Forms sent over HTTPS, as every production request is. The pages tell browsers to send
no Referer (`Referrer-Policy: no-referrer`), so a form check that insists on one would
refuse every form a real browser sends; the signed form token and SameSite cookies are
what protect the forms."""

from bs4 import BeautifulSoup

from tests import factories


def _token(response) -> str:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").find(
        "input", attrs={"name": "csrf_token"}
    )["value"]


def test_a_victim_signs_in_over_https_with_no_referer(app, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)
    http = app.test_client()
    form = http.get("/sign-in", base_url="https://localhost")
    assert form.status_code == 200
    sent = http.post(
        "/sign-in",
        base_url="https://localhost",
        data={"email": link.victim.email, "password": factories.PASSWORD, "csrf_token": _token(form)},
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:300]
    assert sent.headers["Location"] == "/cases"


def test_a_form_over_https_without_its_token_is_still_refused(app, ctx):
    http = app.test_client()
    http.get("/sign-in", base_url="https://localhost")
    sent = http.post(
        "/sign-in", base_url="https://localhost", data={"email": "a@example.org", "password": "x"}
    )
    assert sent.status_code == 400
