"""Identity conflicts of the reader's scope, with resolve buttons (the API's rules)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lrs.console.blueprint import bp
from lrs.domain.errors import Forbidden
from lrs.domain.identity import conflicts as conflict_rules
from lrs.domain.identity.keys import mask_name
from lrs.domain.identity.membership import parse_day
from lrs.http.auth import has_scope
from lrs.services import services

KINDS = {"account_claim": "账号归属冲突", "unit_mismatch": "所属单位不一致"}


def _require_writer() -> None:
    if not (g.reader.writes and has_scope(g.console_credential, "trainees/write")):
        raise Forbidden("此凭据无权处理身份冲突（需要 trainees/write）")


@bp.get("/conflicts")
def conflicts() -> str:
    _require_writer()
    store = services().store
    found = conflict_rules.conflicts_for(store, g.reader, "open", limit=500)
    trainees = conflict_rules.parties(store, found)
    # Names masked, as in every list a liaison reads: the conflict may involve another unit.
    names = {k: f"{mask_name(t.name)}（{t.masked_id}）" for k, t in trainees.items()}
    return render_template("console/conflicts.html", conflicts=found, names=names, kinds=KINDS)


@bp.post("/conflicts/<conflict_id>/resolve")
def resolve_conflict(conflict_id: str) -> BaseResponse:
    _require_writer()
    form = request.form
    with services().store.transaction() as uow:
        conflict_rules.resolve(
            uow, g.reader, conflict_id, form.get("decision", ""),
            owner=form.get("owner") or None,
            day=parse_day(form.get("date") or None, "date"),
            unit=(form.get("unit") or "").strip() or None,
        )
    return redirect(url_for("console.conflicts"))
