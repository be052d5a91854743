"""Secure messages between a victim and the officer in charge of one of their crimes.
The victim's own case is the thread: who a message goes to, the crime and the sender
all come from it, never from what the browser sends. Reading the page changes nothing;
messages are marked read by replying or by saying so."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import bp
from portal.forms.messages import MessageForm
from portal.views.common import own_case_or_404
from shared.domain.permissions import requires
from shared.services import secure_messages
from shared.services.errors import ServiceError
from shared.translation import gettext as _
from shared.web.page_links import pagination_params, requested_page
from shared.web.templating import character_count


@bp.route("/cases/<public_id>/messages", methods=["GET", "POST"])
@requires("victim.self")
def messages(public_id):
    link = own_case_or_404(public_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            secure_messages.send_from_victim(link, form.body.data, current_user._get_current_object())
        except ServiceError as error:
            form.body.errors.append(error.message)
        else:
            flash(_("Message sent"))
            return redirect(url_for("portal.messages", public_id=link.public_id))
    thread = secure_messages.thread(link, requested_page(), current_app.config["MESSAGES_PER_PAGE"])
    return render_template(
        "portal/messages.html",
        link=link,
        officer=link.crime.officer_in_charge,
        thread=thread,
        pagination=pagination_params(
            thread, "portal.messages", anchor="your-messages", public_id=link.public_id
        ),
        # Counted over the whole thread: unread messages may be on another page.
        unread=secure_messages.unread_by_link([link.id], "staff").get(link.id, 0),
        reply_days=current_app.config["MESSAGE_REPLY_WORKING_DAYS"],
        form=form,
        count_params=character_count(current_app.config["SECURE_MESSAGE_MAX_LENGTH"]),
    )


@bp.post("/cases/<public_id>/messages/read")
@requires("victim.self")
def messages_read(public_id):
    link = own_case_or_404(public_id)
    secure_messages.mark_read_by_victim(link, current_user._get_current_object())
    return redirect(url_for("portal.messages", public_id=link.public_id))
