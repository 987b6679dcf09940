"""Notifications: in the app at once, by email after the commit, never lost to a mail failure."""

from popup.extensions import db as _db
from popup.notifications import operations
from popup.notifications.models import Notification


def _notifications(db, user):
    return db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id).all()


def test_notify_then_deliver_sends_in_the_users_language(app, db, make_user, smtp):
    user = make_user(role="owner", language="nl", email="koen@example.org")
    with app.test_request_context():
        operations.notify(user, "unit_approved", {"address": "Grand-Place 1"}, link="/units/1")
        sent, failed = operations.deliver()
    assert (sent, failed) == (1, 0)
    (mail,) = smtp
    assert mail["To"] == "koen@example.org"
    assert "goedgekeurd" in mail["Subject"].lower()
    body = mail.get_payload(decode=True).decode()
    assert "Grand-Place 1" in body and "/units/1" in body
    (notification,) = _notifications(db, user)
    assert notification.email_status == "sent" and notification.emailed_at is not None


def test_a_failing_mail_server_keeps_the_notification_for_a_retry(app, db, make_user, smtp, runner):
    user = make_user(role="owner")
    with app.test_request_context():
        operations.notify(user, "unit_approved", {"address": "Grand-Place 1"})
    good = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 9  # refused
    try:
        with app.test_request_context():
            assert operations.deliver() == (0, 1)
    finally:
        app.config["MAIL_PORT"] = good
    (notification,) = _notifications(db, user)
    assert notification.email_status == "pending" and notification.email_attempts == 1
    assert smtp == []
    result = runner.invoke(args=["popup", "send-emails"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    db.session.refresh(notification)
    assert notification.email_status == "sent" and len(smtp) == 1


def test_after_too_many_failures_the_email_is_marked_failed(app, db, make_user):
    user = make_user(role="owner")
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", 9
    try:
        with app.test_request_context():
            operations.notify(user, "unit_approved", {"address": "X"})
            for _ in range(operations.MAX_ATTEMPTS):
                operations.deliver()
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "localhost", 25
    (notification,) = _notifications(db, user)
    assert notification.email_status == "failed"


def test_the_header_counts_unread_and_the_list_marks_them_read(client, db, auth, make_user, app):
    user = make_user(role="owner")
    with app.test_request_context():
        operations.notify(user, "unit_rejected", {"address": "Rue <b>X</b> 1", "reason": "Doublon"}, email=False)
        operations.notify(user, "unit_approved", {"address": "Rue Y 2"}, email=False)
    auth.login(user.email)
    client.post("/language", data={"lang": "en"})
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert "Rue &lt;b&gt;X&lt;/b&gt; 1" in page.text and "Doublon" in page.text
    assert ">2<span" in page.text.replace(" ", "") or '2<span class="visually-hidden">' in page.text
    first = _notifications(db, user)[0]
    assert client.post("/notifications/read", data={"id": str(first.id)}).status_code == 302
    _db.session.expire_all()
    assert operations.unread_count(user) == 1
    client.post("/notifications/read", data={})
    assert operations.unread_count(user) == 0


def test_nobody_reads_or_marks_someone_elses_notifications(client, db, auth, make_user, app):
    owner, other = make_user(role="owner"), make_user(role="owner")
    with app.test_request_context():
        mine = operations.notify(owner, "unit_approved", {"address": "Secret street 1"}, email=False)
    auth.login(other.email)
    assert "Secret street" not in client.get("/notifications/").text
    client.post("/notifications/read", data={"id": str(mine.id)})
    assert operations.unread_count(owner) == 1
    assert client.post("/notifications/read", data={"id": "abc"}).status_code == 303


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get("/notifications/").status_code == 302
