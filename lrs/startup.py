"""What `lrs serve` checks once, before it forks: the settings that need files or the domain.

:meth:`lrs.config.Settings.from_env` has checked each variable's type and range; here the
profile policy and modes are parsed, the profiles directory must exist and load, and the credit
policies must load with their assignments. Each failure is a :class:`SettingsError` naming the
variable, so the server stops with one line instead of every worker dying with a traceback.
"""

from __future__ import annotations

from lrs.config import Settings, SettingsError


def check_settings(settings: Settings) -> None:
    """Raise :class:`SettingsError` for the first setting the app could not start with."""
    _check_profiles(settings)
    _check_credit_policies(settings)


def prepare_store(settings: Settings) -> None:
    """Open the store once (creating its schema) and load the identity secret (generating it
    on a first SQLite start), so a wrong database URL, data directory or secret stops the
    server here, naming its variable, and not in the first request of every worker."""
    import sqlite3

    from lrs.domain.identity.keys import IdentitySecretError, load_identity_keys
    from lrs.storage.factory import UnsupportedDatabase, open_store

    # An SQLite file (the only store that fails with OSError) names no password: safe to show.
    where, value = (
        ("LRS_DATABASE_URL", settings.database_url)
        if settings.database_url
        else ("LRS_DATA_DIR", str(settings.data_dir))
    )
    from lrs.bootstrap import ensure_admin_credential

    try:
        store = open_store(settings.resolved_database_url())
        try:
            # Once, here, so it is logged once; each worker then finds it (mongomock://
            # workers, each with its own in-memory store, make their own).
            ensure_admin_credential(store)
        finally:
            store.close()
        load_identity_keys(
            settings.identity_secret, settings.data_dir, settings.resolved_database_url()
        )
    except UnsupportedDatabase as exc:
        raise _named("LRS_DATABASE_URL", exc) from None
    except IdentitySecretError as exc:
        raise _named("LRS_IDENTITY_SECRET", exc) from None
    except (OSError, sqlite3.Error) as exc:  # a directory that cannot be created or written
        raise SettingsError(where, f"is not usable: {value!r}: {exc}") from None


def _named(variable: str, exc: Exception) -> SettingsError:
    """``exc`` as a SettingsError; its message may already start with the variable's name."""
    message = str(exc)
    if message.startswith(variable + " "):
        return SettingsError(variable, message.removeprefix(variable + " "))
    return SettingsError(variable, f"is not usable: {message}")


def _check_profiles(settings: Settings) -> None:
    from lrs.domain.profiles import ProfileLoadError, load_registry, resolve_profiles_dir
    from lrs.domain.profiles.policy import ProfileSettings

    try:
        ProfileSettings.from_settings(settings)
    except ValueError as exc:
        # The message starts with the variable's name (LRS_PROFILE_POLICY, _MODE, _APPLY_ALL).
        variable, _, message = str(exc).partition(" ")
        raise SettingsError(variable, message) from None
    if settings.profiles_dir and resolve_profiles_dir(settings.profiles_dir, warn=False) is None:
        # Starting without the profiles would switch statement validation off silently.
        raise SettingsError(
            "LRS_PROFILES_DIR",
            f"names no directory: {settings.profiles_dir!r} (set it empty to load no profiles)",
        )
    try:
        load_registry(settings.profiles_dir)
    except ProfileLoadError as exc:
        problems = "; ".join(str(exc).splitlines())  # one line: the file, then each problem
        raise SettingsError("LRS_PROFILES_DIR", f"holds a profile not usable: {problems}") from None


def _check_credit_policies(settings: Settings) -> None:
    from lrs.domain.archive.policy import PolicyError
    from lrs.domain.archive.policy_book import PolicyBook, read_policies
    from lrs.domain.archive.policy_book import resolve_policies_dir as resolve

    try:
        policies = read_policies(resolve(settings.credit_policies_dir))
    except PolicyError as exc:
        raise SettingsError("LRS_CREDIT_POLICIES_DIR", f"is not usable: {exc}") from None
    try:
        PolicyBook(policies, "", settings.default_credit_policy)
    except PolicyError as exc:
        raise SettingsError("LRS_DEFAULT_CREDIT_POLICY", f"is not usable: {exc}") from None
    try:
        PolicyBook(policies, settings.credit_policy_assignments, settings.default_credit_policy)
    except PolicyError as exc:
        raise SettingsError("LRS_CREDIT_POLICIES", f"is not usable: {exc}") from None
