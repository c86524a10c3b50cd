"""Console sessions: who is logged in, CSRF tokens, idle timeout.

The signed cookie holds only the credential key, a CSRF token and the time of the
last request, never the secret. The credential is read from the store on every
request (as the API does), so revoking it logs its browsers out at once.
"""

from __future__ import annotations

import hmac
import secrets
import time

from flask import Flask, Request, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from lrs.domain.credentials import authenticate
from lrs.domain.identity.roles import Reader, reader_for
from lrs.http.auth import has_scope
from lrs.services import services
from lrs.storage.port import Credential

COOKIE = "lrs_console"


class ConsoleSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signer for a request that
    carries no session cookie (every xAPI request: the cookie's path is /console).
    Flask builds it on every request otherwise, ~5 % of a small API request's CPU."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()  # what Flask gives a request without the cookie
        return super().open_session(app, request)


def configure(app: Flask) -> None:
    """Session cookie settings; the signing key is derived from the identity secret."""
    settings = services(app).settings
    app.secret_key = services(app).identity_keys.derive("console session")
    app.session_interface = ConsoleSessions()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.console_secure_cookie,
    )


def log_in(key: str, secret: str) -> Credential | None:
    """Check key and secret with the API's credential service; start a fresh session."""
    credential = authenticate(services().store, key, secret)
    if credential is None or not has_scope(credential, "trainees/read"):
        return None
    session.clear()  # no session fixation: a new session for every login
    session.update(cred=credential.key, csrf=secrets.token_urlsafe(32), seen=time.time())
    return credential


def log_out() -> None:
    session.clear()


def current_reader() -> tuple[Reader, Credential] | None:
    """The logged-in reader, or None (not logged in, idle too long, or revoked)."""
    key = session.get("cred")
    if not key:
        return None
    idle = services().settings.console_idle_minutes * 60
    if time.time() - float(session.get("seen", 0)) > idle:
        session.clear()
        session["expired"] = True
        return None
    with services().store.read() as uow:
        credential = uow.credentials.get(key)
    if credential is None or credential.revoked or not has_scope(credential, "trainees/read"):
        session.clear()
        return None
    session["seen"] = time.time()
    return reader_for(credential), credential


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(sent, expected)
