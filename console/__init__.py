"""The platform console at /console: server-rendered pages (Jinja2, htmx) for station staff,
company admins and operators. It sits above every feature (import-linter's layers): its pages
call the features' access checks and services, the same ones their API routes call, and no
feature imports it.

A feature adds its pages as a blueprint module in this package, listed in console/pages.py, whose
views carry `console.web.page(*roles)` and whose menu entries are `console.web.menu_entry(...)`;
tests/console/test_console_access.py then tries every page with every other role."""


def init_app(app, api) -> None:
    from console.cli import console_cli
    from console.pages import console

    app.register_blueprint(console)
    app.cli.add_command(console_cli)
