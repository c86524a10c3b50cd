"""The console's English switch: 简体中文 by default, English with ``?lang=en`` (kept in
a cookie, so the choice follows the user from page to page).

A plain message catalogue rather than gettext: the console has one other language
and about a hundred fixed strings (navigation, headings, table headers, the login
page); the Chinese text is the message id, so a string missing here shows in
Chinese, never blank. Report figures, names and the API's error messages are not
translated.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request

from lrs.console.i18n_en import ENGLISH

LANGS = ("zh", "en")
COOKIE = "lrs_console_lang"
ONE_YEAR = 365 * 24 * 3600


def lang() -> str:
    """``en`` or ``zh`` for this request: ``?lang=``, else the cookie, else Chinese."""
    cached = g.get("console_lang")
    if cached:
        return cached
    asked = request.args.get("lang")
    chosen = asked if asked in LANGS else request.cookies.get(COOKIE)
    g.console_lang = chosen if chosen in LANGS else "zh"
    return g.console_lang


def translate(text: str, **values: Any) -> str:
    """``text`` (Chinese) in the request's language, with ``{name}`` filled from values."""
    if lang() == "en":
        text = ENGLISH.get(text, text)
    return text.format(**values) if values else text


def remember(response: Response) -> Response:
    """Keep a ``?lang=`` choice in a cookie limited to the console's paths."""
    asked = request.args.get("lang")
    if asked in LANGS and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=ONE_YEAR, path="/console",
                            httponly=True, samesite="Strict")
    return response


def configure(app: Flask) -> None:
    app.jinja_env.globals.update(_=translate, lang=lang)
