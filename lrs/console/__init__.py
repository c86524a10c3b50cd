"""The management console (管理端): server-rendered Chinese pages under /console/.

Another HTTP face over the same domain services and role scoping as /xapi/archives:
a credential key and secret log in, and every page is the report the API would
give that credential. Templates and static files ship inside this package.
"""

from __future__ import annotations

from flask import Flask

from lrs.console import (  # noqa: F401 - they add their pages to bp
    admin,
    conflicts,
    i18n,
    institution,
    session,
    statements,
    upload,
    views,
)
from lrs.console.blueprint import bp


def init_console(app: Flask) -> None:
    session.configure(app)
    i18n.configure(app)
    app.register_blueprint(bp)


__all__ = ["init_console"]
