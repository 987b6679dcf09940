"""`flask --app app popup import-units FILE`: thin, it reads options and calls operations."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click
from flask_babel import force_locale
from sqlalchemy import select

from popup import geo
from popup.communes.models import Commune
from popup.domain import importing
from popup.domain.vocabulary import UNIT_STATUSES
from popup.extensions import db
from popup.imports import operations
from popup.imports.messages import describe, encoding_label

PROGRESS_FROM_ROWS = 2000
STAGES = {"check": "Checking rows  ", "create": "Creating units ", "update": "Updating units "}


def _pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        key, sep, target = value.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"{option} takes NAME=VALUE, not {value!r}")
        pairs.append((key.strip(), target.strip()))
    return pairs


def _options(
    table: importing.Table,
    commune: Commune,
    maps: tuple[str, ...],
    statuses: tuple[str, ...],
    default_status: str | None,
    all_or_nothing: bool,
    use_saved: bool,
) -> operations.ImportOptions:
    """Guessed mapping, then the commune's saved one (--use-saved-mapping), then --map and --status."""
    columns = importing.suggest_mapping(table.headers)
    options = operations.ImportOptions(columns=columns)
    if use_saved:
        saved = operations.saved_mapping(commune)
        if saved is None:
            raise click.UsageError(f"{commune.slug} has no saved mapping yet (save one with --save-mapping)")
        options = operations.options_from_saved(saved)
        columns, missing = importing.overlay_mapping(table.headers, columns, options.columns)
        for name, header in missing.items():
            click.echo(f"Saved mapping: the file has no column {header!r} for {name}; ignored.", err=True)
    given = dict(_pairs(maps, "--map"))
    unknown = [name for name in given if name not in importing.FIELDS]
    if unknown:
        raise click.UsageError(f"--map: unknown field {unknown[0]!r}; fields: {', '.join(importing.FIELDS)}")
    columns = {name: header for name, header in columns.items() if given.get(name, header)}  # FIELD= unmaps
    columns, missing = importing.overlay_mapping(table.headers, columns, {k: v for k, v in given.items() if v})
    if missing:
        name, header = next(iter(missing.items()))
        headers = ", ".join(repr(h) for h in table.headers)
        raise click.UsageError(f"--map {name}: the file has no column {header!r}; its columns: {headers}")
    status_values = dict(options.status_values)
    for word, status in _pairs(statuses, "--status"):
        if status and status not in UNIT_STATUSES:
            raise click.UsageError(f"--status {word}: unknown status {status!r}; statuses: {', '.join(UNIT_STATUSES)}")
        status_values[word] = status or None
    if default_status is not None:
        options = dataclasses.replace(options, default_status=None if default_status == "reject" else default_status)
    return dataclasses.replace(
        options,
        columns=columns,
        status_values=status_values,
        all_or_nothing=all_or_nothing or options.all_or_nothing,
    )


class _ProgressBars:
    """One click progress bar per stage of the import."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(length=total, label=STAGES.get(stage, stage), file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("import-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commune", "slug", required=True, help="Slug of the commune the units belong to.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=HEADER", help="Column of a field; repeat. FIELD= unmaps.")
@click.option("--status", "statuses", multiple=True, metavar="VALUE=STATUS", help="Status a word of the file means.")
@click.option(
    "--default-status",
    type=click.Choice([*UNIT_STATUSES, "reject"]),
    help="Status of new units whose row gives none (default: vacant).",
)
@click.option("--delimiter", type=click.Choice([";", ",", "tab"]), help="CSV separator (default: guessed).")
@click.option("--apply", is_flag=True, help="Import; without it, only show what would happen.")
@click.option("--all-or-nothing", is_flag=True, help="Import nothing if any row is rejected.")
@click.option("--save-mapping", is_flag=True, help="Keep this mapping for the commune's next imports (with --apply).")
@click.option("--use-saved-mapping", is_flag=True, help="Start from the commune's saved mapping.")
def import_units_command(
    file: Path,
    slug: str,
    maps: tuple[str, ...],
    statuses: tuple[str, ...],
    default_status: str | None,
    delimiter: str | None,
    apply: bool,
    all_or_nothing: bool,
    save_mapping: bool,
    use_saved_mapping: bool,
) -> None:
    """Import commercial units from a CSV or GeoJSON FILE (a dry run unless --apply).

    FIELDs: external_id, address, latitude, longitude, wkt, status,
    floor_area_m2, asking_rent, activity. Columns are guessed from usual
    French, Dutch and English headers; --map overrides them.
    """
    with force_locale("en"):
        commune = db.session.scalars(select(Commune).where(Commune.slug == slug)).one_or_none()
        if commune is None:
            raise click.UsageError(f"unknown commune {slug!r}")
        try:
            table = importing.read_table(
                file.read_bytes(), file.name, delimiter="\t" if delimiter == "tab" else delimiter
            )
        except importing.ImportFileError as exc:
            click.echo(f"Cannot read {file}: {describe(exc.problem.code, exc.problem.params)}", err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(f"Cannot read {file}: {exc.strerror}", err=True)
            sys.exit(1)
        options = _options(table, commune, maps, statuses, default_status, all_or_nothing, use_saved_mapping)
        problems = importing.mapping_problems(table, options.columns)
        if problems:
            headers = ", ".join(repr(h) for h in table.headers)
            reasons = " ".join(describe(p.code, p.params) for p in problems)
            raise click.UsageError(f"{reasons} Use --map FIELD=HEADER; the file's columns: {headers}")

        details = ["GeoJSON" if table.format == "geojson" else "CSV", encoding_label(table.encoding)]
        if table.delimiter:
            details.append("separator " + {";": "';'", ",": "','", "\t": "tab"}[table.delimiter])
        click.echo(f"{file.name}: {', '.join(details)}; {len(table.records):,} rows.")
        click.echo("Columns: " + ", ".join(f"{name} <- {header!r}" for name, header in options.columns.items()))

        progress = _ProgressBars() if len(table.records) > PROGRESS_FROM_ROWS else None
        try:
            report = operations.import_units(
                commune, table, options, by=None, filename=file.name, dry_run=not apply, progress=progress
            )
        finally:
            if progress is not None:
                progress.close()

        verbs = ("created", "updated") if report.applied else ("to create", "to update")
        click.echo(
            f"{report.created:,} {verbs[0]}, {report.updated:,} {verbs[1]}, {report.unchanged:,} unchanged, "
            f"{report.rejected:,} rejected."
        )
        for rejection in report.rejections:
            column = f", column {rejection.column!r}" if rejection.column else ""
            click.echo(f"  line {rejection.line}{column}: {describe(rejection.code, rejection.params)}")
        if not report.boundary_checked:
            click.echo(f"Warning: {commune.name} has no boundary; locations were not checked.", err=True)

        if report.blocked:
            db.session.rollback()
            click.echo("Nothing imported: rows are rejected and --all-or-nothing is set.", err=True)
            sys.exit(1)
        if not apply:
            db.session.rollback()
            click.echo("Dry run: nothing was saved. Add --apply to import.")
            return
        if save_mapping:
            operations.save_mapping(commune, options, by=None)
        db.session.commit()
        geo.refresh_statistics(db.session.connection())
        db.session.commit()
        click.echo(f"Imported into {commune.name}." + (" Mapping saved." if save_mapping else ""))
