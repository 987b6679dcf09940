"""`flask --app app popup ...` commands. Thin: they call operations and commit."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy import select

from popup import geo
from popup.auth import operations as accounts
from popup.communes.models import Commune
from popup.domain.vocabulary import LANGUAGES, ROLES
from popup.extensions import db
from popup.imports.cli import import_units_command

popup_cli = AppGroup("popup", help="popup administration commands.")
popup_cli.add_command(import_units_command)


@popup_cli.command("send-emails")
@click.option("--limit", type=click.IntRange(1, 10_000), default=500, show_default=True)
def send_emails(limit: int) -> None:
    """Send the notification emails still waiting (after an SMTP failure). Run it from cron."""
    from popup.notifications.operations import deliver

    sent, failed = deliver(limit=limit)
    click.echo(f"{sent} sent, {failed} still failing.")
    if failed:
        raise SystemExit(1)


@popup_cli.command("seed-demo")
def seed_demo() -> None:
    """Load the Lessines demo data (safe to run again: creates only what is missing)."""
    from popup.seed import load_demo

    report = load_demo()
    db.session.commit()
    created = ", ".join(f"{n} {kind}" for kind, n in report.created.items())
    click.echo(f"Lessines demo data loaded ({created} created).")
    click.echo(f"Demo logins (password: {report.password}):")
    for role, email in report.logins:
        click.echo(f"  {role:<13} {email}")


@popup_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--commune", "communes", multiple=True, help="Slug of a commune the staff member works for.")
@click.option("--language", type=click.Choice(LANGUAGES), default="fr", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_user(email: str, name: str, role: str, communes: tuple[str, ...], language: str, password: str) -> None:
    """Create an account (staff and admin accounts are made this way or by an admin)."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.UsageError(f"not a valid email address: {exc}") from exc
    found = db.session.scalars(select(Commune).where(Commune.slug.in_(communes))).all()
    missing = sorted(set(communes) - {c.slug for c in found})
    if missing:
        raise click.UsageError(f"unknown commune(s): {', '.join(missing)}")
    if role == "staff" and not found:
        raise click.UsageError("a staff account needs at least one --commune")
    if len(password) < 10:
        raise click.UsageError("the password needs at least 10 characters")
    try:
        user = accounts.create_user(
            email=email, name=name, password=password, role=role, language=language, communes=found
        )
    except accounts.AccountError as exc:
        raise click.UsageError(f"cannot create the account: {exc}") from exc
    db.session.commit()
    click.echo(f"Created {role} account {user.email}.")


@popup_cli.command("synth")
@click.option("--units", "n_units", type=int, required=True, help="How many synthetic units to add.")
@click.option(
    "--communes",
    "n_communes",
    type=int,
    default=None,
    help="How many towns of the built-in list get them (default: one per 2,000 units, at most 25).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same streets and units.")
@click.option("--batch-size", type=int, default=10_000, show_default=True, help="Units per insert and commit.")
def synth(n_units: int, n_communes: int | None, seed: int, batch_size: int) -> None:
    """Add synthetic units around real Belgian town centres, for load tests.

    Communes are named "<Town> (synthetic)" (slug synth-<town>) and marked as
    demo data; running again adds units to them (external ids SYN-<town>-<n>
    go on). Commits after every batch: an interrupted run keeps what it wrote.
    """
    from popup import synth as synthetic

    try:
        allotment = synthetic.plan(n_units, n_communes)
        if batch_size < 1:
            raise synthetic.SynthError("--batch-size must be at least 1.")
    except synthetic.SynthError as exc:
        raise click.UsageError(str(exc)) from exc
    with click.progressbar(length=n_units, label="Synthetic units", show_pos=True) as bar:
        report = synthetic.load(allotment, seed=seed, batch_size=batch_size, progress=bar.update)
    geo.refresh_statistics(db.session.connection())
    db.session.commit()
    if report.communes_created:
        click.echo(f"Created communes: {', '.join(report.communes_created)}.")
    towns = ", ".join(f"{slug} {n:,}" for slug, n in report.per_commune.items())
    click.echo(
        f"Added {report.units:,} units and {report.history:,} status changes in {report.seconds:.1f} s "
        f"({report.units_per_second:,.0f} units/s): {towns}."
    )


@popup_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file: str) -> None:
    """Save the whole database (photos and documents included) into FILE, a portable zip."""
    from popup import backup

    try:
        summary = backup.backup(file)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        db.session.rollback()
    click.echo(f"Saved {summary.rows} rows of {len(summary.tables)} tables (schema {summary.revision}) to {file}.")


@popup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Erase everything in a database that already holds data first.")
def restore_command(file: str, force: bool) -> None:
    """Load a backup made by `popup backup` into this database (SQLite or PostgreSQL)."""
    from popup import backup

    try:
        summary = backup.restore(file, force=force)
    except backup.BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    geo.refresh_statistics(db.session.connection())
    db.session.commit()
    click.echo(f"Restored {summary.rows} rows of {len(summary.tables)} tables (schema {summary.revision}) from {file}.")
