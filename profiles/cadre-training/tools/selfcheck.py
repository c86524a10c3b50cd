#!/usr/bin/env python3
"""Profile author's consistency check for the cadre-training profile and its examples.

    python3 profiles/cadre-training/tools/selfcheck.py [--xapi]

Not the LRS's validator: a small, dependency-light transcription of the xAPI Profiles 1.0
algorithms (Part Three §2.1 ``validates``, §2.2 ``follows``/``matches``) used to make sure the
profile document is well formed and every example gives what ``examples/manifest.json`` says.
``--xapi`` also runs each example through the LRS's own xAPI statement validation
(``lrs.domain.statements.validation``), which needs the project's virtualenv.
"""

from __future__ import annotations

import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
PROFILE = json.loads((ROOT / "v1.0.jsonld").read_text(encoding="utf-8"))
EXAMPLES = ROOT / "examples"
EXTERNAL = {  # external concept IRIs the README lists; everything else must resolve inside
    "http://adlnet.gov/expapi/verbs/registered",
    "http://adlnet.gov/expapi/verbs/launched",
    "http://adlnet.gov/expapi/verbs/initialized",
    "http://adlnet.gov/expapi/verbs/progressed",
    "http://adlnet.gov/expapi/verbs/completed",
    "http://adlnet.gov/expapi/verbs/passed",
    "http://adlnet.gov/expapi/verbs/failed",
    "http://adlnet.gov/expapi/verbs/terminated",
    "http://adlnet.gov/expapi/verbs/experienced",
    "https://w3id.org/xapi/adl/verbs/waived",
    "https://w3id.org/xapi/cmi5/result/extensions/progress",
    "http://adlnet.gov/expapi/activities/course",
    "http://adlnet.gov/expapi/activities/assessment",
    "http://adlnet.gov/expapi/activities/profile",
    "http://activitystrea.ms/approve",
    "http://activitystrea.ms/reject",
    "http://activitystrea.ms/receive",
}
errors: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


# ------------------------------------------------------------------ JSONPath (Profiles dialect)
TOKEN = re.compile(r"""\s*(?:\.(?P<name>[A-Za-z_][\w-]*)|\.\*|\[(?P<br>[^\]]*)\])""")


def compile_path(text: str):
    alts = []
    for part in text.split("|"):
        part = part.strip()
        if not part.startswith("$"):
            raise ValueError(f"{text!r}: must start with $")
        if ".." in part or "?" in part or "(" in part:
            raise ValueError(f"{text!r}: recursive descent / filters / scripts are not allowed")
        pos, steps = 1, []
        while pos < len(part):
            m = TOKEN.match(part, pos)
            if not m:
                raise ValueError(f"{text!r}: cannot parse at {part[pos:]!r}")
            if m.group("name"):
                steps.append([("name", m.group("name"))])
            elif m.group("br") is not None:
                sel = []
                for item in m.group("br").split(","):
                    item = item.strip()
                    if item == "*":
                        sel.append(("*", None))
                    elif re.fullmatch(r"\d+", item):
                        sel.append(("idx", int(item)))
                    elif re.fullmatch(r"'[^']*'", item):
                        sel.append(("name", item[1:-1]))
                    else:
                        raise ValueError(f"{text!r}: illegal member {item!r}")
                steps.append(sel)
            else:
                steps.append([("*", None)])
            pos = m.end()
        if not steps:
            raise ValueError(f"{text!r}: selects the root")
        alts.append(steps)
    return alts


def apply_path(data, text: str) -> list:
    out = []
    for steps in compile_path(text):
        nodes = [data]
        for sel in steps:
            nxt = []
            for node in nodes:
                for kind, arg in sel:
                    if (
                        kind == "name"
                        and isinstance(node, dict)
                        and arg in node
                        or kind == "idx"
                        and isinstance(node, list)
                        and arg < len(node)
                    ):
                        nxt.append(node[arg])
                    elif kind == "*":
                        nxt.extend(
                            node.values()
                            if isinstance(node, dict)
                            else node
                            if isinstance(node, list)
                            else []
                        )
            nodes = nxt
        out.extend(nodes)
    return out


# ------------------------------------------------------------------ Part Three §2.1
UNMATCHABLE = object()


def same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def contains(values, v) -> bool:
    return any(same(x, v) for x in values)


def follows_rule(statement, rule) -> bool:
    strict = True
    values = apply_path(statement, rule["location"])
    if "selector" in rule:
        originals, values = values, []
        for value in originals:
            sel = apply_path(value, rule["selector"])
            values.extend(sel if sel else [UNMATCHABLE])
    presence = rule.get("presence")
    if presence == "included" and (not values or any(v is UNMATCHABLE for v in values)):
        return False
    if presence == "excluded" and any(v is not UNMATCHABLE for v in values):
        return False
    if presence == "recommended":
        strict = False
    matchable = [v for v in values if v is not UNMATCHABLE]
    if (
        "any" in rule
        and (strict or values)
        and not any(contains(rule["any"], v) for v in matchable)
    ):
        return False
    if "all" in rule and (strict or values):
        if any(v is UNMATCHABLE for v in values):
            return False
        if any(not contains(rule["all"], v) for v in values):
            return False
    none_broken = "none" in rule and any(contains(rule["none"], v) for v in matchable)
    return not ((strict or values) and none_broken)


CTX_PROPS = {
    "contextParentActivityType": "parent",
    "contextGroupingActivityType": "grouping",
    "contextOtherActivityType": "other",
    "contextCategoryActivityType": "category",
}


def matches_determining(statement, t) -> bool:
    if "verb" in t and statement.get("verb", {}).get("id") != t["verb"]:
        return False
    object_type = statement.get("object", {}).get("definition", {}).get("type")
    if "objectActivityType" in t and object_type != t["objectActivityType"]:
        return False
    for prop, kind in CTX_PROPS.items():
        if prop in t:
            acts = statement.get("context", {}).get("contextActivities", {}).get(kind, [])
            if isinstance(acts, dict):
                acts = [acts]
            types = {a.get("definition", {}).get("type") for a in acts}
            if not set(t[prop]) <= types:
                return False
    return True


def validates(statement, templates):
    matching, failing = [], []
    for t in templates:
        if matches_determining(statement, t):
            broken = [i for i, r in enumerate(t["rules"]) if not follows_rule(statement, r)]
            (failing if broken else matching).append((t["id"], broken))
    if failing:
        return "invalid", failing
    return ("success", matching) if matching else ("unmatched", [])


# ------------------------------------------------------------------ Part Three §2.2
TEMPLATES = {t["id"]: t for t in PROFILE["templates"]}
PATTERNS = {p["id"]: p for p in PROFILE["patterns"]}
KINDS = ("sequence", "alternates", "optional", "oneOrMore", "zeroOrMore")


def kind_of(p):
    return next(k for k in KINDS if k in p)


def matches(stmts, element):
    if element in TEMPLATES:
        if not stmts:
            return "partial", []
        return ("success", stmts[1:]) if element in stmts[0]["_templates"] else ("failure", stmts)
    p = PATTERNS[element]
    k = kind_of(p)
    if k == "sequence":
        nxt = stmts
        for e in p["sequence"]:
            r, nxt = matches(nxt, e)
            if r == "failure":
                return "failure", stmts
            if r == "partial":
                return "partial", []
        return "success", nxt
    if k == "alternates":
        res, rest = "failure", stmts
        for e in p["alternates"]:
            r, s = matches(stmts, e)
            if r == "success":
                if res != "success" or len(s) < len(rest):
                    rest = s
                res = "success"
            if r == "partial" and res == "failure":
                res = "partial"
        return ("partial", []) if res == "partial" else (res, rest)
    if k == "oneOrMore":
        res, last = "failure", stmts
        while True:
            r, nxt = matches(last, p["oneOrMore"])
            if r == "success":
                res = "success"
            elif res == "failure" and r == "partial":
                return "partial", []
            else:
                if r == "partial" and last:
                    return "partial", last
                return res, last
            if len(nxt) == len(last):
                return "success", nxt
            last = nxt
    if k == "zeroOrMore":
        last = stmts
        while True:
            r, nxt = matches(last, p["zeroOrMore"])
            if r == "failure":
                return "success", last
            if r == "partial" and nxt:
                return "partial", nxt
            if len(nxt) == len(last):
                return "success", nxt
            last = nxt
    if k == "optional":
        if not stmts:
            return "success", []
        r, nxt = matches(stmts, p["optional"])
        return (r, nxt) if r in ("success", "partial") else ("success", stmts)
    raise AssertionError(k)


def follows(stmts):
    """('success', pattern) | ('partial', pattern) | ('failure', reason)."""
    ordered = sorted(stmts, key=lambda s: s["timestamp"])  # all offsets are +08:00
    for s in ordered:
        outcome, found = validates(s, PROFILE["templates"])
        if outcome != "success":
            return "failure", f"statement {s['id']}: {outcome} {found}"
        s["_templates"] = {tid for tid, _ in found}
    partial = None
    for p in PROFILE["patterns"]:
        if p.get("primary"):
            r, rest = matches(ordered, p["id"])
            if r == "success" and not rest:
                return "success", p["id"]
            if r == "partial" and not rest:
                partial = p["id"]
    return ("partial", partial) if partial else ("failure", "no primary pattern matches")


# ------------------------------------------------------------------ profile structure
def check_profile() -> None:
    p = PROFILE
    for key in (
        "@context",
        "id",
        "type",
        "conformsTo",
        "prefLabel",
        "definition",
        "versions",
        "author",
    ):
        if key not in p:
            err(f"profile lacks {key}")
    if p["conformsTo"] != "https://w3id.org/xapi/profiles#1.0":
        err("conformsTo")
    version = p["versions"][0]["id"]

    def no_empty(node, path="$"):
        if node in ({}, [], "", None):
            err(f"{path}: empty value")
        if isinstance(node, dict):
            for k, v in node.items():
                no_empty(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                no_empty(v, f"{path}[{i}]")

    no_empty(p)

    ids = [x["id"] for x in p["concepts"] + p["templates"] + p["patterns"]]
    if len(ids) != len(set(ids)):
        err("duplicate ids")
    concepts = {c["id"]: c for c in p["concepts"]}
    allowed = {"Verb", "ActivityType", "ContextExtension", "ResultExtension", "ActivityExtension"}
    for c in p["concepts"]:
        if c["type"] not in allowed:
            err(f"{c['id']}: type {c['type']}")
        if c["inScheme"] != version:
            err(f"{c['id']}: inScheme")
        for lang in ("zh-CN", "en"):
            if lang not in c["prefLabel"] or lang not in c["definition"]:
                err(f"{c['id']}: {lang} label/definition missing")
        if c["type"].endswith("Extension"):
            schema = json.loads(c["inlineSchema"])
            jsonschema.Draft7Validator.check_schema(schema)
            if "recommendedActivityTypes" in c and c["type"] != "ActivityExtension":
                err(f"{c['id']}: recommendedActivityTypes only on ActivityExtension")
            if "recommendedVerbs" in c and c["type"] == "ActivityExtension":
                err(f"{c['id']}: recommendedVerbs not on ActivityExtension")
            if "schema" in c:
                err(f"{c['id']}: both schema and inlineSchema")
        for rel in ("broadMatch", "relatedMatch", "recommendedVerbs", "recommendedActivityTypes"):
            for iri in c.get(rel, []):
                if iri not in concepts and iri not in EXTERNAL:
                    err(f"{c['id']}.{rel}: {iri} unresolved")

    def resolves(iri, kinds):
        return (iri in concepts and concepts[iri]["type"] in kinds) or iri in EXTERNAL

    ext_kind = {
        "context": "ContextExtension",
        "result": "ResultExtension",
        "object": "ActivityExtension",
        "contextActivities": "ActivityExtension",
    }
    for t in p["templates"]:
        if t["inScheme"] != version or t["type"] != "StatementTemplate":
            err(f"{t['id']}: inScheme/type")
        if not resolves(t["verb"], {"Verb"}):
            err(f"{t['id']}: verb {t['verb']}")
        for iri in [t["objectActivityType"]] + sum((t.get(k, []) for k in CTX_PROPS), []):
            if not resolves(iri, {"ActivityType"}):
                err(f"{t['id']}: activity type {iri}")
        agreed = False
        for i, r in enumerate(t["rules"]):
            if not ({"presence", "any", "all", "none"} & r.keys()):
                err(f"{t['id']} rules[{i}]: needs presence/any/all/none")
            if r.get("presence") not in (None, "included", "excluded", "recommended"):
                err(f"{t['id']} rules[{i}]: presence")
            for key in ("location", "selector"):
                if key in r:
                    try:
                        compile_path(r[key])
                    except ValueError as exc:
                        err(f"{t['id']} rules[{i}].{key}: {exc}")
            for m in re.finditer(r"(\w+)(?:\.definition)?\.extensions\['([^']+)'\]", r["location"]):
                where, iri = m.group(1), m.group(2)
                kind = ext_kind.get(where, "ActivityExtension")
                if where == "result":
                    kind = "ResultExtension"
                if not resolves(iri, {kind}):
                    err(f"{t['id']} rules[{i}]: extension {iri} is not a {kind} of the profile")
            for v in r.get("any", []) + r.get("all", []) + r.get("none", []):
                if (
                    isinstance(v, str)
                    and v.startswith("http")
                    and v not in concepts
                    and v not in EXTERNAL
                    and v != version
                ):
                    err(f"{t['id']} rules[{i}]: value {v} unresolved")
            if r["location"].endswith("agreed-identifier']") and r.get("presence") == "included":
                agreed = True
        if not agreed:
            err(f"{t['id']}: agreed-identifier not included")

    used = set()
    for pat in p["patterns"]:
        kinds = [k for k in KINDS if k in pat]
        if len(kinds) != 1:
            err(f"{pat['id']}: exactly one of {KINDS}")
            continue
        k = kinds[0]
        members = pat[k] if isinstance(pat[k], list) else [pat[k]]
        if pat.get("primary") and not ("prefLabel" in pat and "definition" in pat):
            err(f"{pat['id']}: primary pattern needs prefLabel and definition")
        if k in ("sequence", "alternates") and len(members) < 2:
            err(f"{pat['id']}: {k} needs at least two members")
        for m in members:
            used.add(m)
            if m not in TEMPLATES and m not in PATTERNS:
                err(f"{pat['id']}: member {m} unresolved")
            if (
                k == "alternates"
                and m in PATTERNS
                and kind_of(PATTERNS[m]) in ("optional", "zeroOrMore")
            ):
                err(f"{pat['id']}: optional/zeroOrMore directly inside alternates ({m})")

    def walk(pid, stack):
        if pid in stack:
            err(f"pattern cycle: {' -> '.join(stack + [pid])}")
            return
        if pid in PATTERNS:
            pat = PATTERNS[pid]
            v = pat[kind_of(pat)]
            for m in v if isinstance(v, list) else [v]:
                walk(m, stack + [pid])

    for pid in PATTERNS:
        walk(pid, [])
    for pid, pat in PATTERNS.items():
        if not pat.get("primary") and pid not in used:
            err(f"{pid}: non-primary pattern not used anywhere")
    for tid in TEMPLATES:
        if tid not in used:
            err(f"{tid}: template used by no pattern")


# ------------------------------------------------------------------ examples
EXT_SCHEMAS = {
    c["id"]: json.loads(c["inlineSchema"])
    for c in PROFILE["concepts"]
    if c["type"].endswith("Extension")
}
CREDIT_BANDS = [(Decimal(15), Decimal("0.25")), (Decimal(30), Decimal("0.5"))]


def extension_values(s):
    """(iri, value) for every extension of this profile anywhere in the statement."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "extensions" and isinstance(v, dict):
                    found.extend((iri, val) for iri, val in v.items() if iri in EXT_SCHEMAS)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(s)
    return found


def schema_errors(s) -> list[str]:
    out = []
    checker = jsonschema.FormatChecker()
    for iri, value in extension_values(s):
        v = jsonschema.Draft7Validator(EXT_SCHEMAS[iri], format_checker=checker)
        out += [f"{iri}: {e.message}" for e in v.iter_errors(value)]
    return out


def semantic_errors(s) -> list[str]:
    """Cross-field rules stated in concept definitions / scopeNotes."""
    ex = "https://w3id.org/xapi/cadre-training/extensions/"
    out = []
    acts = [s["object"]] + [
        a
        for k in ("parent", "grouping", "other")
        for a in s.get("context", {}).get("contextActivities", {}).get(k, [])
    ]
    for a in acts:
        e = a.get("definition", {}).get("extensions", {})
        if ex + "course-duration" in e and ex + "course-credit-hours" in e:
            minutes = Decimal(str(e[ex + "course-duration"]))
            want = next((c for limit, c in CREDIT_BANDS if minutes <= limit), Decimal(1))
            if Decimal(str(e[ex + "course-credit-hours"])) != want:
                out.append(f"{a['id']}: course-credit-hours disagrees with course-duration (§3.8)")
    earned = s.get("result", {}).get("extensions", {}).get(ex + "credit-hours-earned")
    verb = s["verb"]["id"]
    if earned is not None and verb.endswith("/completed"):
        e = s["object"]["definition"]["extensions"]
        want = 0 if e[ex + "assessment-required"] else e[ex + "course-credit-hours"]
        if Decimal(str(earned)) != Decimal(str(want)):
            out.append("credit-hours-earned on completed disagrees with the course (§8.2.5)")
    if (
        earned is not None
        and verb.endswith("/passed")
        and s["object"]["definition"]["type"].endswith("/course-assessment")
    ):
        want = s["context"]["contextActivities"]["parent"][0]["definition"]["extensions"][
            ex + "course-credit-hours"
        ]
        if Decimal(str(earned)) != Decimal(str(want)):
            out.append("credit-hours-earned on passed disagrees with the course (§8.2.5)")
    return out


def xapi_errors(s) -> list[str]:
    from lrs.domain.errors import ValidationError
    from lrs.domain.statements.validation import validate_statement

    out = []
    for version in ("1.0.3", "2.0.0"):
        try:
            validate_statement(s, version)
        except ValidationError as exc:
            out.append(f"xAPI {version}: {exc}")
    return out


def check_examples(xapi: bool) -> dict:
    manifest = json.loads((EXAMPLES / "manifest.json").read_text(encoding="utf-8"))
    counts = {"valid": 0, "invalid": 0, "sequences": 0}
    seen_ids: dict[str, str] = {}

    def common(s, where):
        if xapi:
            for e in xapi_errors(s):
                err(f"{where}: {e}")
        prev = seen_ids.setdefault(s["id"], where)
        if prev != where:
            err(f"{where}: statement id {s['id']} also used in {prev}")

    for entry in manifest["valid"]:
        s = json.loads((EXAMPLES / entry["file"]).read_text(encoding="utf-8"))
        common(s, entry["file"])
        outcome, found = validates(s, PROFILE["templates"])
        if outcome != "success" or entry["template"] not in {t for t, _ in found}:
            err(f"{entry['file']}: {outcome} {found}")
        if len(found) != 1:
            err(f"{entry['file']}: matches {len(found)} templates {found}")
        for e in schema_errors(s) + semantic_errors(s):
            err(f"{entry['file']}: {e}")
        counts["valid"] += 1
    for entry in manifest["invalid"]:
        s = json.loads((EXAMPLES / entry["file"]).read_text(encoding="utf-8"))
        common(s, entry["file"])
        outcome, found = validates(s, PROFILE["templates"])
        if entry["kind"] == "rule":
            want = [(entry["template"], entry["rules"])]
            if outcome != "invalid" or found != want:
                err(f"{entry['file']}: want invalid {want}, got {outcome} {found}")
        else:
            if outcome != "success" or [t for t, _ in found] != [entry["template"]]:
                err(f"{entry['file']}: want success for {entry['template']}, got {outcome}")
            se, me = schema_errors(s), semantic_errors(s)
            if entry["kind"] == "schema" and not se:
                err(f"{entry['file']}: schema errors {se}, semantic {me}")
            if entry["kind"] == "semantic" and (se or not me):
                err(f"{entry['file']}: schema errors {se}, semantic {me}")
        if not (EXAMPLES / entry["file"].replace(".json", ".reason.txt")).exists():
            err(f"{entry['file']}: no .reason.txt")
        counts["invalid"] += 1
    for entry in manifest["sequences"]:
        stmts = json.loads((EXAMPLES / entry["file"]).read_text(encoding="utf-8"))
        regs = {s["context"].get("registration") for s in stmts}
        if len(regs) != 1:
            err(f"{entry['file']}: {len(regs)} registrations")
        stamps = [s.get("timestamp") for s in stmts]
        if stamps != sorted(stamps) or len(set(stamps)) != len(stamps):
            err(f"{entry['file']}: timestamps not strictly increasing")
        for s in stmts:
            common(s, entry["file"])
            for e in schema_errors(s) + semantic_errors(s):
                err(f"{entry['file']} {s['id']}: {e}")
        outcome, detail = follows([dict(s) for s in stmts])
        if outcome != entry["expect"]:
            err(f"{entry['file']}: want {entry['expect']}, got {outcome} ({detail})")
        elif outcome == "success" and detail != entry.get("pattern"):
            err(f"{entry['file']}: matched {detail}, manifest says {entry.get('pattern')}")
        counts["sequences"] += 1
    return counts


def check_policies() -> int:
    """The annual credit policies in ../../credit-policies validate against their schema."""
    folder = ROOT.parent / "credit-policies"
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    names = [p for p in sorted(folder.glob("*.json")) if p.name != "schema.json"]
    for path in names:
        policy = json.loads(path.read_text(encoding="utf-8"))
        for e in validator.iter_errors(policy):
            err(f"credit-policies/{path.name} {e.json_path}: {e.message}")
        src = policy.get("examBonus", {}).get("source")
        if src and src not in EXT_SCHEMAS:
            err(f"credit-policies/{path.name}: examBonus.source {src} is not a profile extension")
    return len(names)


def main() -> int:
    xapi = "--xapi" in sys.argv
    if xapi:
        sys.path.insert(0, str(ROOT.parent.parent))
    check_profile()
    counts = check_examples(xapi)
    counts["credit-policies"] = check_policies()
    for e in errors:
        print("ERROR", e)
    print(
        f"profile: {len(PROFILE['concepts'])} concepts, {len(TEMPLATES)} templates, "
        f"{len(PATTERNS)} patterns; examples: {counts}; {len(errors)} error(s)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
