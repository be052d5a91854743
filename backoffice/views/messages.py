"""Secure messages with victims, as staff see them: the officer's inbox, a victim's
thread on a crime with the reply form, and the team's unanswered messages for
supervisors. (Notifications the service could not send are in notifications.)"""

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user

from backoffice import bp
from backoffice.forms.common import ConfirmForm
from backoffice.forms.messages import ReplyForm
from backoffice.views.common import crime_or_404, link_or_404, saved
from shared.domain.permissions import requires
from shared.models import Crime, CrimeVictim
from shared.services import secure_messages
from shared.translation import gettext as _
from shared.web.page_links import pagination_params, requested_page
from shared.web.templating import character_count


@bp.context_processor
def unread_messages():
    """The number of unread messages from victims for the navigation, counted only when
    the page shows it (one query), so pages for staff without casework pay nothing."""

    def count() -> int:
        if "unread_messages" not in g:
            g.unread_messages = secure_messages.unread_for_officer(current_user)
        return g.unread_messages

    return {"unread_messages": count}


@bp.get("/messages")
@requires("messages.read", audit="messages.inbox")
def inbox():
    page = secure_messages.inbox(current_user, requested_page(), current_app.config["CASES_PER_PAGE"])
    return render_template(
        "backoffice/messages_inbox.html", page=page, pagination=pagination_params(page, "backoffice.inbox")
    )


def _thread_page(crime: Crime, link: CrimeVictim, form: ReplyForm, status: int = 200):
    thread = secure_messages.thread(link, requested_page(), current_app.config["MESSAGES_PER_PAGE"])
    return render_template(
        "backoffice/messages_thread.html",
        crime=crime,
        link=link,
        thread=thread,
        pagination=pagination_params(thread, "backoffice.thread", crime_id=crime.id, link_id=link.id),
        # Counted over the whole thread: unread messages may be on another page.
        unread=secure_messages.unread_by_link([link.id], "victim").get(link.id, 0),
        form=form,
        may_reply=link.victim.is_active,
        count_params=character_count(current_app.config["SECURE_MESSAGE_MAX_LENGTH"]),
    ), status


def _thread_or_403(crime_id: int, link_id: int) -> tuple[Crime, CrimeVictim]:
    """The crime and its victim whose messages are asked for: 404 outside the user's
    scope, 403 when they see the crime but may not read its victims' messages."""
    crime = crime_or_404(crime_id)
    link = link_or_404(crime, link_id)
    if not secure_messages.may_read(current_user, crime):
        abort(403)
    return crime, link


@bp.get("/crimes/<int:crime_id>/victims/<int:link_id>/messages")
@requires("messages.read", audit="messages.thread")
def thread(crime_id, link_id):
    crime, link = _thread_or_403(crime_id, link_id)
    return _thread_page(crime, link, ReplyForm(formdata=None))


def _back_to_thread(crime: Crime, link: CrimeVictim):
    return redirect(url_for("backoffice.thread", crime_id=crime.id, link_id=link.id))


@bp.post("/crimes/<int:crime_id>/victims/<int:link_id>/messages/reply")
@requires("messages.read")
def reply(crime_id, link_id):
    crime, link = _thread_or_403(crime_id, link_id)
    form = ReplyForm()
    if form.validate_on_submit() and saved(
        form, secure_messages.send_from_staff, link, form.body.data, current_user
    ):
        flash(_("Message sent to %(name)s", name=link.victim.name))
        return _back_to_thread(crime, link)
    return _thread_page(crime, link, form, 400)


@bp.post("/crimes/<int:crime_id>/victims/<int:link_id>/messages/read")
@requires("messages.read")
def mark_read(crime_id, link_id):
    crime, link = _thread_or_403(crime_id, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if secure_messages.mark_read_by_staff(link, current_user):
        flash(_("Messages from %(name)s marked as read", name=link.victim.name))
    return _back_to_thread(crime, link)


# The supervisor's list of unanswered threads stops here, the longest waiting first.
UNANSWERED_SHOWN = 200


@bp.get("/messages/unanswered")
@requires("team.view", audit="messages.unanswered")
def unanswered():
    longest = secure_messages.unanswered(current_user, limit=UNANSWERED_SHOWN)
    return render_template(
        "backoffice/messages_unanswered.html",
        threads=longest.items,
        more=longest.more,
        limit=UNANSWERED_SHOWN,
        days=current_app.config["MESSAGE_REPLY_WORKING_DAYS"],
    )
