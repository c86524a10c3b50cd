"""Who a credential is to the registry, and what each role may see and change (§9.2).

A credential says who it is in ``Credential.settings``::

    {"role": "unit", "unit": "fj/fz/fzswzzb"}
    {"role": "trainee", "trainee": "<trainee key>"}

* ``admin``: scope = the credential's org; like a department there (the root by default).
* ``department`` / ``unit``: scope = ``unit`` (else the org). Trainees now in the
  scope, with their whole history (it follows the person); of trainees who left,
  only the records earned under a unit in the scope.
* ``institution``: scope = the org. Trainees with an account it linked, names
  masked, and only statements written within its org.
* ``trainee``: only itself.

A credential without a role is ``admin`` when it has the ``all`` scope and
``institution`` otherwise, so existing platform credentials keep working.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lrs.domain.errors import ValidationError
from lrs.domain.identity.keys import is_trainee_key
from lrs.storage.port import AccountLink, Credential, Membership, Trainee

ROLES = ("admin", "department", "unit", "institution", "trainee")
WRITER_ROLES = ("admin", "department", "unit", "institution")

# How much of one trainee a reader sees.
FULL = "full"  # the whole history; the name in clear (the institution's excepted)
FORMER = "former"  # only records earned under units in the reader's scope
LINKED = "linked"  # an institution: only statements written within its org
NONE = "none"


def in_scope(path: str, scope: str) -> bool:
    """Whether org path ``path`` is ``scope`` or below it (``""`` covers everything)."""
    return scope == "" or path == scope or path.startswith(scope + "/")


def common_org(paths: Iterable[str]) -> str:
    """The deepest org path covering all of ``paths`` (``""`` when they share no root)."""
    split = [p.split("/") for p in paths if p]
    if not split:
        return ""
    prefix: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        prefix.append(parts[0])
    return "/".join(prefix)


def check_org_path(value: Any, name: str = "unit") -> str:
    """A valid org path such as ``fj/fz/fzswzzb``, or a ValidationError naming ``name``."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{name} must be an org path such as fj/fz/unit", name)
    parts = value.split("/")
    if len(value) > 255 or any(
        not p or any(c.isspace() or not c.isprintable() for c in p) for p in parts
    ):
        raise ValidationError(
            f"{name} must be an org path: non-empty segments separated by '/', no spaces", name
        )
    return value


@dataclass(frozen=True)
class Reader:
    role: str
    scope: str
    trainee_key: str | None = None
    credential_key: str = ""

    @property
    def writes(self) -> bool:
        return self.role in WRITER_ROLES


def reader_for(credential: Credential) -> Reader:
    settings = credential.settings or {}
    role = settings.get("role")
    if role is None:
        role = "admin" if "all" in credential.scopes else "institution"
    if role not in ROLES:
        # An unreadable setting fails closed: a trainee role bound to nobody.
        return Reader("trainee", credential.org, None, credential.key)
    scope = credential.org
    if role in ("unit", "department") and isinstance(settings.get("unit"), str):
        scope = settings["unit"]
    trainee = settings.get("trainee") if role == "trainee" else None
    return Reader(role, scope, trainee if isinstance(trainee, str) else None, credential.key)


def access(
    reader: Reader,
    trainee: Trainee,
    memberships: list[Membership],
    links: Iterable[AccountLink] = (),
) -> str:
    """FULL, FORMER, LINKED or NONE: how much of ``trainee`` the reader may see."""
    if reader.role == "trainee":
        return FULL if reader.trainee_key == trainee.key else NONE
    if reader.role == "institution":
        if reader.scope == "" or any(in_scope(link.org, reader.scope) for link in links):
            return LINKED
        return NONE
    if reader.scope == "" or (trainee.unit and in_scope(trainee.unit, reader.scope)):
        return FULL
    if any(in_scope(m.unit, reader.scope) for m in memberships):
        return FORMER
    return NONE


def names_visible(reader: Reader, level: str) -> bool:
    """Names in clear only to those responsible for the trainee now, and to the trainee."""
    return level == FULL and reader.role != "institution"


def may_write_unit(reader: Reader, unit: str) -> bool:
    return reader.writes and in_scope(unit, reader.scope)


def credential_settings(
    role: str | None, unit: str | None = None, trainee_key: str | None = None, org: str = ""
) -> dict[str, Any]:
    """The ``Credential.settings`` entries for a role, checked (``lrs credentials create``)."""
    if role is None:
        if unit or trainee_key:
            raise ValidationError("--unit and --trainee need --role", "role")
        return {}
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}", "role")
    if role in ("unit", "department") and not unit and not org.strip("/"):
        raise ValidationError(f"a {role} credential needs --unit (or --org)", "unit")
    settings: dict[str, Any] = {"role": role}
    if unit:
        if role not in ("unit", "department"):
            raise ValidationError("only unit and department credentials take a unit", "unit")
        check_org_path(unit)
        if not in_scope(unit, org.strip("/")):
            raise ValidationError("the unit must lie within the credential's org", "unit")
        settings["unit"] = unit
    if role == "trainee":
        if not trainee_key or not is_trainee_key(trainee_key):
            raise ValidationError("a trainee credential needs the trainee's key", "trainee")
        settings["trainee"] = trainee_key
    elif trainee_key:
        raise ValidationError("only trainee credentials take a trainee", "trainee")
    return settings
