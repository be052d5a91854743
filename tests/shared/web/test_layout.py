"""The victims' layout: the parts rendered once per language and kept still show each
reader their own language and sign-in state, and the Sign out button submits a form with
the reader's own CSRF token."""

from tests import factories
from tests.pages import PageClient


def _header(page) -> str:
    return page.soup.select_one("header").get_text(" ", strip=True)


def test_the_kept_header_follows_the_language_and_the_sign_in(app, victim_client, ctx):
    officer = factories.staff()
    link = factories.active_victim(factories.crime(officer), officer)

    signed_out = victim_client.get("/sign-in")
    assert "Sign out" not in _header(signed_out) and "Your crimes" not in _header(signed_out)
    assert signed_out.soup.select_one("form#sign-out") is None

    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    case = victim_client.get(f"/cases/{link.public_id}")
    assert "Your crimes" in _header(case) and "Sign out" in _header(case)
    active = case.soup.select_one(".govuk-service-navigation__item--active")
    assert active.get_text(strip=True) == "Your crimes"

    victim_client.get(f"/language/cy?next=/cases/{link.public_id}")
    welsh = victim_client.get(f"/cases/{link.public_id}")
    assert "Sign out" not in _header(welsh) and "Allgofnodi" in _header(welsh)
    assert welsh.soup.select_one(".govuk-skip-link").get_text(strip=True) == "Neidio i’r prif gynnwys"
    assert "Argyfwng" in welsh.soup.select_one(".govuk-exit-this-page").get_text(" ", strip=True)

    # Back in English and signed out, the header is the signed-out one again.
    victim_client.get("/language/en?next=/sign-in")
    victim_client.post("/sign-out", csrf_from="/cases")
    page = victim_client.get("/sign-in")
    assert "Sign out" not in _header(page)


def test_the_sign_out_button_submits_the_readers_own_form(app, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    first = factories.active_victim(crime, officer)
    second = factories.active_victim(crime, officer)
    tokens = []
    for link in (first, second):
        client = PageClient(app, portal=True)
        client.victim_sign_in(link.victim.email, factories.PASSWORD)
        page = client.get(f"/cases/{link.public_id}")
        button = page.soup.find("button", string=lambda text: text and text.strip() == "Sign out")
        form = page.soup.select_one(f"form#{button['form']}")
        assert form["method"] == "post" and form["action"] == "/sign-out"
        token = form.select_one("input[name=csrf_token]")["value"]
        tokens.append(token)
        signed_out = client.post("/sign-out", {"csrf_token": token})
        assert signed_out.status in (200, 302)
        assert client.get(f"/cases/{link.public_id}").response.status_code == 302
    assert tokens[0] != tokens[1]
