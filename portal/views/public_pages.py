"""The pages a public service in the UK publishes, open to anyone: the accessibility
statement, the privacy notice, the cookies page and help and contact."""

from flask import current_app, render_template

from portal import bp
from shared.web import public_pages
from shared.web.login import public


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("portal/accessibility.html", prepared=public_pages.STATEMENTS_PREPARED)


@bp.get("/privacy")
@public
def privacy():
    config = current_app.config
    return render_template(
        "portal/privacy.html",
        sessions_days=public_pages.days(config["RETAIN_SESSIONS"]),
        links_days=public_pages.days(config["RETAIN_LINKS"]),
        notifications_days=public_pages.days(config["RETAIN_NOTIFICATIONS"]),
    )


@bp.get("/cookies")
@public
def cookies():
    return render_template("portal/cookies.html", cookies=public_pages.cookies(current_app.config))


@bp.get("/help")
@public
def help_and_contact():
    return render_template("portal/help.html")
