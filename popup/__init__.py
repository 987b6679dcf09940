"""popup: pop-up shops against empty shop cells."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from popup.config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` is a Config object, or a mapping of overrides applied on top of
    the environment's Config (tests pass a TestingConfig).
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    settings = config if isinstance(config, Config) else Config(app.instance_path)
    app.config.from_mapping(settings.as_dict())
    if isinstance(config, Mapping):
        app.config.from_mapping(config)

    # Sorting the keys of every JSON answer cost 20-100 % of jsonify for the unit
    # layer (bench/RESULTS.md); insertion order is stable and readable.
    app.json.sort_keys = False
    _register_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    _register_cli(app)
    return app


def _register_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from popup import geo, i18n, models  # noqa: F401  (models: complete metadata)
    from popup.audit import catalogue, recorder
    from popup.auth.session import init_login
    from popup.extensions import babel, bootstrap, csrf, db, limiter, migrate

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if geo.backend(url) == "sqlite" and url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    options = geo.engine_options(url, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    options.update(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    db.init_app(app)
    catalogue.register_all()
    recorder.install()
    with app.app_context():
        geo.prepare_engine(db.engine, app.config["SPATIALITE_LIBRARY_PATH"], app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, default_translation_directories="translations")
    bootstrap.init_app(app)
    limiter.init_app(app)
    init_login(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _register_blueprints(app: Flask) -> None:
    from popup import assets, permissions
    from popup.api.blueprint import bp as api_bp
    from popup.applications.blueprint import bp as applications_bp
    from popup.audit.blueprint import bp as audit_bp
    from popup.auth.blueprint import bp as auth_bp
    from popup.calls.blueprint import bp as calls_bp
    from popup.coaching.blueprint import bp as coaching_bp
    from popup.communes.blueprint import bp as communes_bp
    from popup.core.blueprint import bp as core_bp
    from popup.dashboard.blueprint import bp as dashboard_bp
    from popup.imports.blueprint import bp as imports_bp
    from popup.leases.blueprint import bp as leases_bp
    from popup.maps.blueprint import bp as maps_bp
    from popup.matching.blueprint import bp as matching_bp
    from popup.notifications.blueprint import bp as notifications_bp
    from popup.offers.blueprint import bp as offers_bp
    from popup.opendata.blueprint import bp as opendata_bp
    from popup.owners.blueprint import bp as owners_bp
    from popup.participation.blueprint import bp as participation_bp
    from popup.privacy.blueprint import bp as privacy_bp
    from popup.profiles.blueprint import bp as profiles_bp
    from popup.schedules.blueprint import bp as schedules_bp
    from popup.units.blueprint import bp as units_bp
    from popup.uploads.blueprint import bp as uploads_bp

    for bp in (core_bp, auth_bp, communes_bp, units_bp, api_bp, maps_bp, imports_bp, notifications_bp):
        app.register_blueprint(bp)
    for bp in (owners_bp, offers_bp, uploads_bp):
        app.register_blueprint(bp)
    for bp in (profiles_bp, calls_bp, applications_bp, audit_bp):
        app.register_blueprint(bp)
    app.register_blueprint(privacy_bp)
    for bp in (dashboard_bp, coaching_bp):
        app.register_blueprint(bp)
    for bp in (participation_bp, opendata_bp):
        app.register_blueprint(bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(schedules_bp)
    app.register_blueprint(leases_bp)
    assets.register(app)
    permissions.declare(app, "static", permissions.public)
    permissions.declare(app, "bootstrap.static", permissions.public)


def _register_hooks(app: Flask) -> None:
    from popup import errors, i18n, permissions, security
    from popup.notifications import operations as notifications

    app.before_request(permissions.enforce)
    notifications.register(app)
    errors.register(app)
    i18n.register_template_helpers(app)
    security.register(app)


def _register_cli(app: Flask) -> None:
    from popup.cli import popup_cli

    app.cli.add_command(popup_cli)
