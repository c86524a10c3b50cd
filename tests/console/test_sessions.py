"""The console's session interface: xAPI requests (no console cookie) never build the
cookie signer; console requests keep Flask's signed sessions."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from lrs.console.session import COOKIE, ConsoleSessions


def test_requests_without_the_cookie_get_an_empty_session_unsigned(app, monkeypatch):
    assert isinstance(app.session_interface, ConsoleSessions)
    built = []
    plain = SecureCookieSessionInterface.get_signing_serializer

    def spy(self, flask_app):
        built.append(1)
        return plain(self, flask_app)

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", spy)
    client = app.test_client()
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert built == []
    # A request that carries the cookie is read through the signer, as Flask does.
    client.set_cookie(COOKIE, "not-a-valid-signature", path="/console")
    client.get("/console/")
    assert built
