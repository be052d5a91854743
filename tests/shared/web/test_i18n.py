"""Two languages: every string in English and Welsh, the switcher, and dates in the
reader's language on the Europe/London clock."""

import ast
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po

from shared.extensions import db
from shared.models import InvestigationUpdate
from tests import factories
from tests.paths import ROOT

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _catalogue():
    with open(ROOT / "translations/cy/LC_MESSAGES/messages.po", encoding="utf-8") as f:
        return read_po(f)


def test_every_string_in_the_code_has_a_welsh_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            pot,
            "shared",
            "portal",
            "backoffice",
        ],
        cwd=ROOT,
        check=True,
    )
    with open(pot, encoding="utf-8") as f:
        in_code = {m.id for m in read_po(f) if m.id}
    welsh = {m.id: m for m in _catalogue() if m.id}
    missing = sorted(in_code - set(welsh))
    assert not missing, f"not in the Welsh catalogue (run make translations-update): {missing[:10]}"
    for msgid in in_code:
        message = welsh[msgid]
        assert not message.fuzzy, f"fuzzy Welsh for {msgid!r}"
        # A plural message has a tuple of English forms and one Welsh string per form.
        english = msgid[-1] if isinstance(msgid, tuple) else msgid
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            assert form, f"no Welsh for {msgid!r}"
            assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(form)), msgid


def test_every_language_the_service_offers_has_its_catalogue(app):
    from shared.domain.reference_data import DEFAULT_LANGUAGE, LANGUAGE_NAMES

    assert (
        app.config["LANGUAGES"] == tuple(LANGUAGE_NAMES)
        and app.config["BABEL_DEFAULT_LOCALE"] == DEFAULT_LANGUAGE
    )
    catalogues = {
        path.parent.parent.name for path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po")
    }
    assert catalogues == set(LANGUAGE_NAMES) - {DEFAULT_LANGUAGE}


def test_pages_switch_to_welsh_and_back(victim_client, ctx):
    page = victim_client.get("/language/cy?next=/sign-in")
    assert page.status == 302 and page.response.headers["Location"] == "/sign-in"
    page = victim_client.get("/sign-in")
    assert page.soup.html["lang"] == "cy"
    assert page.h1 == "Mewngofnodi"
    assert (
        page.soup.select_one(".govuk-exit-this-page").get_text(" ", strip=True)
        == "Argyfwng Gadael y dudalen hon"
    )
    page = victim_client.post("/sign-in", {"email": "", "password": ""})
    assert page.title.startswith("Gwall:")
    assert "Mae problem wedi codi" in page.text
    victim_client.get("/language/en?next=/sign-in")
    assert victim_client.get("/sign-in").h1 == "Sign in"


def test_the_switcher_only_returns_to_this_site(victim_client, ctx):
    for target in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/%09/evil.example",
        "javascript:alert(1)",
    ]:
        page = victim_client.get("/language/cy", query_string={"next": target})
        assert page.response.headers["Location"] == "/", target
    page = victim_client.get("/language/fr?next=/sign-in")
    assert "lang=fr" not in page.response.headers.get("Set-Cookie", "")


def test_a_welsh_speaker_sees_welsh_and_dates_in_welsh_on_london_time(victim_client, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.active_victim(crime, officer, language="cy")
    update = factories.update(crime, officer, text="Diweddariad")
    # 23:30 UTC on 10 July is 00:30 the next day in London (summer time).
    db.session.execute(
        InvestigationUpdate.__table__.update()
        .values(created_at=datetime(2026, 7, 10, 23, 30, tzinfo=UTC))
        .where(InvestigationUpdate.id == update.id)
    )
    db.session.commit()
    victim_client.victim_sign_in(link.victim.email, factories.PASSWORD)
    page = victim_client.get(f"/cases/{link.public_id}")
    assert page.soup.html["lang"] == "cy"
    assert page.h1 == "Eich achos"
    assert "11 Gorffennaf 2026 am 00:30" in page.main_text

    victim_client.get(f"/language/en?next=/cases/{link.public_id}")
    page = victim_client.get(f"/cases/{link.public_id}")
    assert "11 July 2026 at 00:30" in page.main_text


def test_invitations_are_written_in_the_victims_language(client, messages, ctx):
    officer = factories.staff()
    crime = factories.crime(officer)
    link = factories.victim(crime, officer, language="cy")
    client.staff_sign_in(officer.email, factories.PASSWORD)
    crime_page = client.get(f"/backoffice/crimes/{crime.id}")
    client.post(f"/backoffice/crimes/{crime.id}/victims/{link.id}/invite", {"csrf_token": crime_page.csrf()})
    [message] = messages()
    assert message["language"] == "cy"
    assert message["subject"] == _catalogue()["Set up your account"].string
    assert "/activate/" in message["body"]


def test_the_character_count_speaks_welsh_in_every_plural_form(app):
    from flask_babel import force_locale

    from shared.web.templating import character_count

    with app.test_request_context(), force_locale("cy"):
        params = character_count(2000)
    texts = [params["textareaDescriptionText"], params["charactersAtLimitText"]]
    for key in ("charactersUnderLimitText", "charactersOverLimitText"):
        assert set(params[key]) == {"zero", "one", "two", "few", "many", "other"}
        texts += params[key].values()
    for text in texts:
        assert "You" not in text and ("%{count}" in text or " 0 " in text), text


def test_kept_translations_follow_the_language_of_the_moment(app):
    from flask_babel import force_locale

    from shared.domain.reference_data import STAGES
    from shared.translation import gettext, lazy_gettext

    label = lazy_gettext("Sign in")
    with app.test_request_context("/", headers={"Cookie": "lang=cy"}):
        assert gettext("Sign in") == "Mewngofnodi" == str(label)
        with force_locale("en"):
            assert gettext("Sign in") == "Sign in" == str(label)
            english_stage = str(STAGES["under_investigation"].victim_label)
        assert gettext("Sign in") == "Mewngofnodi"
        assert str(STAGES["under_investigation"].victim_label) != english_stage
    with app.test_request_context("/"):
        assert gettext("%(service)s – police staff", service="X") == "X – police staff"


# Flask-Babel's translating functions: the project's modules take them from
# shared.translation instead, so every string goes through the one kept catalogue.
FLASK_BABEL_GETTEXT = {
    "_",
    "gettext",
    "lazy_gettext",
    "ngettext",
    "lazy_ngettext",
    "pgettext",
    "lazy_pgettext",
    "npgettext",
    "lazy_npgettext",
    "*",
}


def _project_modules():
    yield ROOT / "wsgi.py"
    for folder in ("shared", "portal", "backoffice", "api", "bench", "tests", "migrations"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_no_module_translates_through_flask_babel_directly():
    found = []
    for path in _project_modules():
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flask_babel":
                found += [
                    f"{where}:{node.lineno} {alias.name}"
                    for alias in node.names
                    if alias.name in FLASK_BABEL_GETTEXT
                ]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "flask_babel" and node.attr in FLASK_BABEL_GETTEXT:
                    found.append(f"{where}:{node.lineno} flask_babel.{node.attr}")
    assert not found, f"import these from shared.translation instead: {found}"


def test_templates_translate_through_the_same_kept_catalogue_as_the_code(app):
    from flask import g, render_template_string
    from flask_babel import get_locale

    from shared.translation import gettext, ngettext

    class Marked:
        """A catalogue that marks every string it gives, to see which path was taken."""

        def ugettext(self, string):
            return f"«{string}»"

        def ungettext(self, singular, plural, num):
            return f"«{singular if num == 1 else plural}»"

    with app.test_request_context("/"):
        g._catalogue = (get_locale(), Marked())  # as shared.translation keeps it
        page = render_template_string("{{ _('Sign in') }} {{ ngettext('%(num)d day', '%(num)d days', 3) }}")
        assert page == "«Sign in» «3 days»"
        assert (gettext("Sign in"), ngettext("%(num)d day", "%(num)d days", 3)) == ("«Sign in»", "«3 days»")


def test_plurals_and_lazy_plurals_follow_the_language_of_the_moment(app):
    from flask_babel import force_locale

    from shared.translation import lazy_ngettext, ngettext

    every = lazy_ngettext("Every %(num)d day", "Every %(num)d days", 14)
    with app.test_request_context("/", headers={"Cookie": "lang=cy"}):
        welsh = ngettext("Every %(num)d day", "Every %(num)d days", 14)
        assert "14" in welsh and "day" not in welsh and str(every) == welsh
        with force_locale("en"):
            assert ngettext("Every %(num)d day", "Every %(num)d days", 1) == "Every 1 day"
            assert str(every) == "Every 14 days"
