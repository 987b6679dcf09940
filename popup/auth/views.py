from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from popup.auth import operations
from popup.auth.forms import (
    ChangePasswordForm,
    CreateUserForm,
    LoginForm,
    RegisterForm,
    RequestResetForm,
    ResetPasswordForm,
)
from popup.auth.models import User
from popup.communes.models import Commune
from popup.extensions import db, limiter
from popup.mail import MailError, send_email
from popup.permissions import admin, logged_in, policy, public
from popup.security import no_store
from popup.urls import safe_next

INVALID = 422  # a form that did not validate: shown again with its errors


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user: User, remember: bool = False) -> None:
    lang = session.get("lang")
    session.clear()  # nothing from before the login carries over
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)


@policy(public)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        if operations.find_by_email(form.email.data) is not None:
            form.email.errors.append(_("An account with this email already exists. Log in or reset your password."))
        else:
            user = operations.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=form.role.data,
                language=form.language.data,
            )
            db.session.commit()
            _start_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return redirect(url_for("auth.account"))
    status = INVALID if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@policy(public)
@limiter.limit(_login_rate_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    next_url = safe_next(request.args.get("next"), url_for("auth.account"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(next_url)
        form.password.errors.append(_("Wrong email or password."))
        status = 401
    elif form.is_submitted():
        status = INVALID
    return render_template("auth/login.html", form=form), status


@policy(logged_in)
def logout():
    current_user.revoke_sessions()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


@policy(logged_in)
def account():
    return render_template("auth/account.html", user=current_user)


@policy(logged_in)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Your current password is not right."))
        else:
            user = current_user._get_current_object()
            operations.set_password(user, form.password.data)
            db.session.commit()
            _start_session(user)
            flash(_("Your password is changed. Your other sessions are logged out."), "success")
            return redirect(url_for("auth.account"))
    status = INVALID if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@policy(public)
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        user = operations.find_by_email(form.email.data)
        if user is not None and user.active:
            link = url_for("auth.reset_password", token=operations.reset_token(user), _external=True)
            with force_locale(user.language):
                subject = _("Reset your popup password")
                body = render_template("auth/email/reset.txt", user=user, link=link)
            try:
                send_email(user.email, subject, body)
            except MailError:
                flash(_("We could not send the email right now. Please try again in a few minutes."), "danger")
                return render_template("auth/request_reset.html", form=form), 503
        flash(_("If an account exists for this address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    status = INVALID if form.is_submitted() else 200
    return render_template("auth/request_reset.html", form=form), status


@policy(public)
def reset_password(token: str):
    no_store()  # the address carries a secret
    user = operations.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid, already used or expired. Ask for a new one."), "danger")
        return render_template("auth/request_reset.html", form=RequestResetForm()), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        operations.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Your new password is set. You can log in."), "success")
        return redirect(url_for("auth.login"))
    status = INVALID if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status


@policy(admin)
def users():
    people = db.session.scalars(select(User).order_by(User.role, User.name)).all()
    return render_template("auth/users.html", users=people)


@policy(admin)
def create_user():
    form = CreateUserForm()
    communes = db.session.scalars(select(Commune).order_by(Commune.name)).all()
    form.communes.choices = [(c.id, c.name) for c in communes]
    if form.validate_on_submit():
        chosen = [c for c in communes if c.id in set(form.communes.data or [])]
        if form.role.data == "staff" and not chosen:
            form.communes.errors.append(_("Choose at least one commune for a staff member."))
        elif operations.find_by_email(form.email.data) is not None:
            form.email.errors.append(_("An account with this email already exists."))
        else:
            user = operations.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                role=form.role.data,
                language=form.language.data,
                communes=chosen,
            )
            db.session.commit()
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.users"))
    status = INVALID if form.is_submitted() else 200
    return render_template("auth/create_user.html", form=form), status
