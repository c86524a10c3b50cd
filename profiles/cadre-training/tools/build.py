#!/usr/bin/env python3
"""Write the cadre-training profile, its example statements and the generated README sections.

    python3 profiles/cadre-training/tools/build.py

Outputs (relative to profiles/cadre-training/):
  v1.0.jsonld                      the xAPI Profile
  examples/valid/<template>.json   one statement per template that satisfies it
  examples/invalid/<template>-<what>.json (+ .reason.txt)   statements that break a rule
  examples/sequences/*.json        arrays of statements of one registration
  examples/manifest.json           what each example is expected to give
  README.md                        regenerates the parts between BEGIN/END GENERATED markers
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

import example_data as X  # noqa: E402
import profile_data as P  # noqa: E402

ROOT = HERE.parent
EXAMPLES = ROOT / "examples"


def dump(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def template(slug: str) -> dict:
    for t in P.TEMPLATES:
        if t["id"] == P.TP + slug:
            return t
    raise KeyError(slug)


def rule_index(slug: str, location: str) -> int:
    for i, r in enumerate(template(slug)["rules"]):
        if r["location"] == location:
            return i
    raise KeyError(f"{slug}: no rule at {location}")


# ---------------------------------------------------------------------------------------------
# Valid examples: one per template
# ---------------------------------------------------------------------------------------------
def valid_example(slug: str) -> dict:
    b = X.Builder("valid/" + slug)
    ts = "2024-04-08T09:15:00+08:00"
    if slug == "course-completed":
        sc = X.Scenario(
            b,
            X.LISI,
            b.registration("lisi/elective/secrets"),
            course=X.C_SECRETS,
            requirement="elective",
        )
        return sc.make(slug, "2024-04-09T20:41:13+08:00", minutes=29.5)
    if slug == "course-exempted":
        sc = X.Scenario(b, X.WANGWU, b.registration("wangwu/elective/digital"))
        return sc.make(slug, "2024-06-03T10:02:00+08:00")
    if slug.startswith("course-"):
        sc = X.Scenario(b, X.ZHANGSAN, b.registration("zhangsan/elective/digital"))
        return sc.make(slug, ts)
    if slug == "class-enrolment-rejected":
        sc = X.Scenario(b, X.LISI, b.registration("lisi/class/open"), klass=X.K_OPEN)
        return sc.make(slug, "2024-05-06T16:20:00+08:00")
    if slug == "class-course-exempted":
        sc = X.Scenario(b, X.WANGWU, b.registration("wangwu/class/digital"), course=X.C_SECRETS)
        return sc.make(slug, "2024-05-13T08:31:00+08:00")
    if slug == "class-assessment-passed":
        sc = X.Scenario(b, X.WANGWU, b.registration("wangwu/class/digital"))
        return sc.make(slug, "2024-05-27T15:05:00+08:00", credit=11.5)
    if slug.startswith("class-"):
        sc = X.Scenario(b, X.WANGWU, b.registration("wangwu/class/digital"))
        return sc.make(slug, "2024-05-13T09:15:00+08:00")
    if slug == "resource-experienced":
        sc = X.Scenario(b, X.LISI, b.registration("lisi/resource/baomifa"))
        return sc.make(slug, "2024-04-10T12:30:00+08:00", minutes=12.0)
    raise KeyError(slug)


# ---------------------------------------------------------------------------------------------
# Invalid examples: each breaks named rules of its template (or an extension's inlineSchema)
# ---------------------------------------------------------------------------------------------
def drop(path: list):
    def f(s):
        node = s
        for k in path[:-1]:
            node = node[k]
        del node[path[-1]]

    return f


def put(path: list, value):
    def f(s):
        node = s
        for k in path[:-1]:
            node = node.setdefault(k, {})
        node[path[-1]] = copy.deepcopy(value)

    return f


CTXE = ["context", "extensions"]
RESE = ["result", "extensions"]
OBJE = ["object", "definition", "extensions"]

# (template slug, what, kind, mutate, broken rule locations, explanation)
INVALID = [
    (
        "course-registered",
        "no-agreed-identifier",
        "rule",
        drop(CTXE + [P.E_AGREED_ID]),
        [P.ctx(P.E_AGREED_ID)],
        "the agreed identifier (约定的标识符) is missing from context.extensions",
    ),
    (
        "course-launched",
        "mbox-actor",
        "rule",
        put(
            ["actor"],
            {"objectType": "Agent", "name": "张三", "mbox": "mailto:zhangsan@example.gov.cn"},
        ),
        [
            "$.actor.account.homePage",
            "$.actor.account.name",
            "$.actor.mbox | $.actor.mbox_sha1sum | $.actor.openid",
        ],
        "the trainee is identified by an e-mail address instead of a platform account",
    ),
    (
        "course-initialized",
        "no-registration",
        "rule",
        drop(["context", "registration"]),
        ["$.context.registration"],
        "context.registration is missing",
    ),
    (
        "course-progressed",
        "claims-completion",
        "rule",
        put(["result", "completion"], True),
        ["$.result.completion"],
        "a progressed statement sets result.completion to true",
    ),
    (
        "course-completed",
        "no-learning-duration",
        "rule",
        drop(RESE + [P.E_LEARNING_DURATION]),
        [P.res(P.E_LEARNING_DURATION)],
        "the learning duration (学习时长) result extension is missing",
    ),
    (
        "course-terminated",
        "credit-hours",
        "rule",
        put(RESE + [P.E_CREDIT_EARNED], 1),
        [P.res(P.E_CREDIT_EARNED)],
        "a terminated statement carries credit-hours earned",
    ),
    (
        "course-exempted",
        "no-exemption-source",
        "rule",
        drop(RESE + [P.E_EXEMPTION_SOURCE]),
        [P.res(P.E_EXEMPTION_SOURCE)],
        "the exemption source (免修依据) is missing",
    ),
    (
        "course-assessment-passed",
        "success-false",
        "rule",
        put(["result", "success"], False),
        ["$.result.success"],
        "a passed statement has result.success false",
    ),
    (
        "course-assessment-failed",
        "credit-hours",
        "rule",
        put(RESE + [P.E_CREDIT_EARNED], 1),
        [P.res(P.E_CREDIT_EARNED)],
        "a failed assessment carries credit-hours earned",
    ),
    (
        "class-registered",
        "no-class-kind",
        "rule",
        drop(OBJE + [P.E_CLASS_KIND]),
        [P.obj(P.E_CLASS_KIND)],
        "the theme class definition lacks the class-kind (调训/开放式) extension",
    ),
    (
        "class-enrolment-approved",
        "group-actor",
        "rule",
        put(
            ["actor"],
            {
                "objectType": "Group",
                "name": "福州市发展和改革委员会2024年调训学员",
                "account": {"homePage": X.HOME_PAGE, "name": "group-fz-fgw-2024"},
            },
        ),
        ["$.actor.objectType"],
        "the actor is a Group, not one trainee",
    ),
    (
        "class-enrolment-rejected",
        "no-unit-code",
        "rule",
        drop(CTXE + [P.E_UNIT]),
        [P.ctx(P.E_UNIT)],
        "the unit code (单位代码) is missing",
    ),
    (
        "class-course-launched",
        "also-elective",
        "rule",
        put(["context", "contextActivities", "grouping"], [X.PROGRAMME_2024]),
        [P.CONTEXT_TYPES],
        "a class-course statement also names the annual elective programme (grouping), so the same "
        "learning would count twice",
    ),
    (
        "class-course-initialized",
        "no-chinese-name",
        "rule",
        drop(["object", "definition", "name", "zh-CN"]),
        ["$.object.definition.name['zh-CN']"],
        "the course definition has only an English name, no zh-CN name",
    ),
    (
        "class-course-progressed",
        "no-learning-duration",
        "rule",
        drop(RESE + [P.E_LEARNING_DURATION]),
        [P.res(P.E_LEARNING_DURATION)],
        "the learning duration (学习时长) result extension is missing",
    ),
    (
        "class-course-completed",
        "completion-false",
        "rule",
        put(["result", "completion"], False),
        ["$.result.completion"],
        "a completed statement has result.completion false",
    ),
    (
        "class-course-terminated",
        "no-institution-code",
        "rule",
        drop(CTXE + [P.E_INSTITUTION]),
        [P.ctx(P.E_INSTITUTION)],
        "the training institution code (培训机构代码) is missing",
    ),
    (
        "class-course-exempted",
        "credit-hours",
        "rule",
        put(RESE + [P.E_CREDIT_EARNED], 0.5),
        [P.res(P.E_CREDIT_EARNED)],
        "an exemption carries credit-hours earned",
    ),
    (
        "class-course-assessment-passed",
        "credit-hours",
        "rule",
        put(RESE + [P.E_CREDIT_EARNED], 1),
        [P.res(P.E_CREDIT_EARNED)],
        "a course assessment inside a class carries credit-hours earned (class credit comes with "
        "the "
        "class assessment)",
    ),
    (
        "class-course-assessment-failed",
        "class-as-parent",
        "rule",
        put(
            ["context", "contextActivities", "parent"],
            [X.course_activity(X.C_DIGITAL), X.class_activity(X.K_DIGITAL)],
        ),
        ["$.context.contextActivities.parent[*]"],
        "the theme class is given as a parent of the course assessment besides the course",
    ),
    (
        "class-assessment-passed",
        "no-success",
        "rule",
        drop(["result", "success"]),
        ["$.result.success"],
        "result.success is missing",
    ),
    (
        "class-assessment-failed",
        "success-true",
        "rule",
        put(["result", "success"], True),
        ["$.result.success"],
        "a failed statement has result.success true",
    ),
    (
        "class-certificate-issued",
        "no-record-year",
        "rule",
        drop(CTXE + [P.E_YEAR]),
        [P.ctx(P.E_YEAR)],
        "the year of record (档案年度) is missing",
    ),
    (
        "resource-experienced",
        "credit-hours",
        "rule",
        put(RESE + [P.E_CREDIT_EARNED], 0.25),
        [P.res(P.E_CREDIT_EARNED)],
        "using an auxiliary resource claims credit-hours",
    ),
    # extension values that break the extension's inlineSchema (not a template rule)
    (
        "course-registered",
        "schema-agreed-identifier-id-card",
        "schema",
        put(CTXE + [P.E_AGREED_ID], "35010219880715001X"),
        [P.E_AGREED_ID],
        "the agreed identifier is a resident identity card number, which its inlineSchema forbids "
        "(§9.2.3 desensitise)",
    ),
    (
        "course-completed",
        "schema-course-credit-hours",
        "schema",
        put(OBJE + [P.E_COURSE_CREDIT], 0.75),
        [P.E_COURSE_CREDIT],
        "course-credit-hours is 0.75; GB/T 38856 §3.8 allows only 0.25, 0.5 or 1 (the value "
        "also disagrees with course-duration and credit-hours-earned, the semantic checks)",
    ),
    (
        "class-registered",
        "schema-class-kind",
        "schema",
        put(OBJE + [P.E_CLASS_KIND], "调训"),
        [P.E_CLASS_KIND],
        'class-kind is the Chinese word 调训 instead of the code "assigned"',
    ),
    # rules stated in definitions/scopeNotes that template rules cannot express
    (
        "course-completed",
        "semantic-credit-mismatch",
        "semantic",
        put(RESE + [P.E_CREDIT_EARNED], 1),
        [P.E_CREDIT_EARNED],
        "credit-hours earned is 1 but the course (no assessment) has 0.5 course credit-hours; the "
        "credit-hours-earned definition says they must be equal",
    ),
    (
        "course-registered",
        "semantic-duration-credit-mismatch",
        "semantic",
        put(OBJE + [P.E_COURSE_CREDIT], 0.5),
        [P.E_COURSE_DURATION, P.E_COURSE_CREDIT],
        "course-duration is 45 min but course-credit-hours is 0.5; §3.8 gives 1 credit-hour for "
        "more than 30 min",
    ),
]


def reason_text(slug, what, kind, locations, explanation) -> str:
    t = template(slug)
    lines = [f"template: {t['id']}", f"kind: {kind}", f"problem: {explanation}."]
    if kind == "rule":
        for loc in locations:
            i = rule_index(slug, loc)
            r = t["rules"][i]
            shown = {k: v for k, v in r.items() if k != "scopeNote"}
            lines.append(f"breaks rules[{i}]: {json.dumps(shown, ensure_ascii=False)}")
        lines.append(
            "expected: the statement matches the template's determining properties, "
            "so Statement Template validation returns 'invalid' for this template."
        )
    elif kind == "schema":
        for iri in locations:
            c = next(e for e in P.EXTENSIONS if e["id"] == iri)
            lines.append(f"breaks inlineSchema of {iri}: {c['inlineSchema']}")
        lines.append(
            "expected: all template rules pass; a validator that checks extension "
            "values against their inlineSchema rejects it."
        )
    else:
        lines.append("involves: " + ", ".join(locations))
        lines.append(
            "expected: all template rules and inlineSchemas pass; only a validator "
            "that implements the cross-field checks in the concept definitions "
            "rejects it."
        )
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Sequences: statements of one registration, in timestamp order
# ---------------------------------------------------------------------------------------------
def ts(day: str, time: str) -> str:
    return f"2024-{day}T{time}+08:00"


def seq_elective(name, who, course, steps, requirement="required"):
    b = X.Builder("sequences/" + name)
    sc = X.Scenario(b, who, b.registration("seq/" + name), course=course, requirement=requirement)
    return [sc.make(slug, ts(d, t), **kw) for slug, d, t, kw in steps]


def S(slug, day, time, **kw):
    return (slug, day, time, kw)


SEQUENCES: list[tuple[str, str, str, list]] = []


def add(name, expect, why, statements, pattern=None):
    SEQUENCES.append((name, expect, why, statements, pattern))


ELECTIVE = P.PT + "elective-course"
CLASS = P.PT + "theme-class"
RESOURCE = P.PT + "auxiliary-resource-use"


def build_sequences():
    SEQUENCES.clear()
    add(
        "course-legal-complete-no-assessment",
        "success",
        "two sessions of a course without assessment, completed in the second "
        "(credit on completion)",
        seq_elective(
            "course-legal-complete-no-assessment",
            X.LISI,
            X.C_SECRETS,
            [
                S("course-launched", "04-09", "19:58:02"),
                S("course-initialized", "04-09", "19:58:05"),
                S("course-progressed", "04-09", "20:10:05", minutes=12.0, progress=40),
                S("course-terminated", "04-09", "20:12:40", minutes=14.5, session="PT14M35S"),
                S("course-launched", "04-10", "07:30:00"),
                S("course-initialized", "04-10", "07:30:03"),
                S("course-progressed", "04-10", "07:40:03", minutes=24.5, progress=85),
                S("course-completed", "04-10", "07:45:03", minutes=29.5),
                S("course-terminated", "04-10", "07:45:30", minutes=29.5, session="PT15M30S"),
            ],
            requirement="elective",
        ),
        ELECTIVE,
    )
    add(
        "course-legal-complete-pass",
        "success",
        "course chosen, studied, completed (0 credit-hours: it needs assessment), failed once, "
        "then passed (1 credit-hour)",
        seq_elective(
            "course-legal-complete-pass",
            X.ZHANGSAN,
            X.C_DIGITAL,
            [
                S("course-registered", "04-08", "09:00:00"),
                S("course-launched", "04-08", "09:15:00"),
                S("course-initialized", "04-08", "09:15:04"),
                S("course-progressed", "04-08", "09:35:04", minutes=20.0, progress=45),
                S("course-completed", "04-08", "10:03:10", minutes=48.1),
                S("course-terminated", "04-08", "10:03:30", minutes=48.5, session="PT48M30S"),
                S("course-assessment-failed", "04-08", "10:30:00", score=0.52),
                S("course-assessment-passed", "04-09", "21:05:00", score=0.86),
            ],
        ),
        ELECTIVE,
    )
    add(
        "course-legal-fail-restudy-pass",
        "success",
        "failed the assessment, studied again in a new session, passed, then reviewed once",
        seq_elective(
            "course-legal-fail-restudy-pass",
            X.ZHANGSAN,
            X.C_DIGITAL,
            [
                S("course-launched", "04-15", "20:00:00"),
                S("course-initialized", "04-15", "20:00:03"),
                S("course-progressed", "04-15", "20:25:03", minutes=25.0, progress=55),
                S("course-completed", "04-15", "20:47:00", minutes=47.0),
                S("course-terminated", "04-15", "20:47:20", minutes=47.3, session="PT47M20S"),
                S("course-assessment-failed", "04-15", "21:10:00", score=0.48),
                S("course-launched", "04-16", "20:00:00"),
                S("course-initialized", "04-16", "20:00:02"),
                S("course-progressed", "04-16", "20:20:02", minutes=67.3),
                S("course-terminated", "04-16", "20:31:00", minutes=78.3, session="PT31M"),
                S("course-assessment-passed", "04-16", "21:00:00", score=0.9),
                S("course-launched", "05-20", "12:10:00"),
                S("course-terminated", "05-20", "12:19:00", minutes=87.3, session="PT9M"),
            ],
        ),
        ELECTIVE,
    )
    add(
        "course-legal-failed-not-retaken",
        "success",
        "completed and failed the assessment once and never retook it: legal, but no credit-hours",
        seq_elective(
            "course-legal-failed-not-retaken",
            X.LISI,
            X.C_DIGITAL,
            [
                S("course-launched", "06-02", "09:00:00"),
                S("course-initialized", "06-02", "09:00:02"),
                S("course-completed", "06-02", "09:46:00", minutes=46.0),
                S("course-terminated", "06-02", "09:46:10", minutes=46.0, session="PT46M10S"),
                S("course-assessment-failed", "06-02", "10:05:00", score=0.41),
            ],
            requirement="elective",
        ),
        ELECTIVE,
    )
    add(
        "course-legal-exempted",
        "success",
        "the course was already credited in theme class 2024-FZ-SZZF-01, so it is exempt (免修)",
        seq_elective(
            "course-legal-exempted",
            X.WANGWU,
            X.C_DIGITAL,
            [
                S("course-registered", "06-03", "10:01:30"),
                S("course-exempted", "06-03", "10:02:00"),
            ],
        ),
        ELECTIVE,
    )
    add(
        "course-legal-study-then-exempted",
        "success",
        "studied part of the course, then it became exempt because the trainee's class credited it",
        seq_elective(
            "course-legal-study-then-exempted",
            X.WANGWU,
            X.C_DIGITAL,
            [
                S("course-launched", "05-10", "19:00:00"),
                S("course-initialized", "05-10", "19:00:02"),
                S("course-progressed", "05-10", "19:20:02", minutes=20.0, progress=40),
                S("course-terminated", "05-10", "19:22:00", minutes=22.0, session="PT22M"),
                S("course-exempted", "05-28", "08:00:00"),
            ],
        ),
        ELECTIVE,
    )
    add(
        "course-partial-in-progress",
        "partial",
        "a session under way: legal so far, the pattern is not finished (matches() gives partial; "
        "follows() therefore fails)",
        seq_elective(
            "course-partial-in-progress",
            X.ZHANGSAN,
            X.C_MARINE,
            [
                S("course-launched", "03-02", "08:00:00"),
                S("course-initialized", "03-02", "08:00:02"),
                S("course-progressed", "03-02", "08:05:02", minutes=5.0, progress=33),
            ],
            requirement="elective",
        ),
        ELECTIVE,
    )
    add(
        "course-illegal-pass-before-launch",
        "failure",
        "the assessment is passed before the course was ever launched",
        seq_elective(
            "course-illegal-pass-before-launch",
            X.ZHANGSAN,
            X.C_DIGITAL,
            [
                S("course-assessment-passed", "04-08", "08:00:00"),
                S("course-launched", "04-08", "09:15:00"),
                S("course-initialized", "04-08", "09:15:04"),
                S("course-completed", "04-08", "10:03:10", minutes=48.1),
            ],
        ),
    )
    add(
        "course-illegal-progress-before-launch",
        "failure",
        "progress is reported before the session was launched",
        seq_elective(
            "course-illegal-progress-before-launch",
            X.LISI,
            X.C_SECRETS,
            [
                S("course-progressed", "04-09", "19:50:00", minutes=3.0, progress=10),
                S("course-launched", "04-09", "19:58:02"),
                S("course-completed", "04-09", "20:30:00", minutes=29.0),
            ],
            requirement="elective",
        ),
    )
    add(
        "course-illegal-pass-without-completion",
        "failure",
        "the assessment is passed although the course was never completed",
        seq_elective(
            "course-illegal-pass-without-completion",
            X.ZHANGSAN,
            X.C_DIGITAL,
            [
                S("course-launched", "04-08", "09:15:00"),
                S("course-initialized", "04-08", "09:15:04"),
                S("course-progressed", "04-08", "09:25:04", minutes=10.0, progress=20),
                S("course-terminated", "04-08", "09:26:00", minutes=11.0, session="PT11M"),
                S("course-assessment-passed", "04-08", "09:40:00", score=0.95),
            ],
        ),
    )
    add(
        "course-illegal-completed-twice",
        "failure",
        "the course is completed twice in one registration (its credit-hours would count twice)",
        seq_elective(
            "course-illegal-completed-twice",
            X.LISI,
            X.C_SECRETS,
            [
                S("course-launched", "04-09", "19:58:02"),
                S("course-completed", "04-09", "20:28:00", minutes=29.9),
                S("course-terminated", "04-09", "20:28:30", minutes=30.0, session="PT30M28S"),
                S("course-launched", "04-20", "19:00:00"),
                S("course-completed", "04-20", "19:29:00", minutes=59.0),
            ],
            requirement="elective",
        ),
    )
    add(
        "course-illegal-exempted-then-completed",
        "failure",
        "after the exemption the course is completed (and would be credited again)",
        seq_elective(
            "course-illegal-exempted-then-completed",
            X.WANGWU,
            X.C_SECRETS,
            [
                S("course-registered", "06-03", "10:01:30"),
                S("course-exempted", "06-03", "10:02:00"),
                S("course-launched", "06-05", "19:00:00"),
                S("course-completed", "06-05", "19:30:00", minutes=30.0),
            ],
        ),
    )
    add(
        "course-illegal-assessment-passed-twice",
        "failure",
        "the course assessment is passed twice",
        seq_elective(
            "course-illegal-assessment-passed-twice",
            X.ZHANGSAN,
            X.C_DIGITAL,
            [
                S("course-launched", "04-08", "09:15:00"),
                S("course-completed", "04-08", "10:03:10", minutes=48.1),
                S("course-assessment-passed", "04-08", "10:30:00", score=0.8),
                S("course-assessment-passed", "04-08", "11:30:00", score=0.95),
            ],
        ),
    )
    add(
        "course-illegal-registered-twice",
        "failure",
        "the course is chosen twice in one registration",
        seq_elective(
            "course-illegal-registered-twice",
            X.LISI,
            X.C_MARINE,
            [
                S("course-registered", "03-01", "08:00:00"),
                S("course-registered", "03-01", "08:00:30"),
                S("course-launched", "03-01", "08:01:00"),
                S("course-completed", "03-01", "08:16:00", minutes=15.0),
            ],
            requirement="elective",
        ),
    )
    # a statement that breaks its template spoils the whole sequence
    bad = seq_elective(
        "course-illegal-invalid-statement",
        X.LISI,
        X.C_SECRETS,
        [
            S("course-launched", "04-09", "19:58:02"),
            S("course-initialized", "04-09", "19:58:05"),
            S("course-completed", "04-09", "20:28:00", minutes=29.9),
        ],
        requirement="elective",
    )
    del bad[2]["result"]["extensions"][P.E_LEARNING_DURATION]
    add(
        "course-illegal-invalid-statement",
        "failure",
        "the order is right but the completed statement lacks learning-duration, so Statement "
        "Template validation fails before pattern matching",
        bad,
    )
    # an elective registration that contains a class-course statement
    b = X.Builder("sequences/course-illegal-class-statement-in-elective")
    reg = b.registration("seq/course-illegal-class-statement-in-elective")
    sc = X.Scenario(b, X.WANGWU, reg, course=X.C_DIGITAL)
    add(
        "course-illegal-class-statement-in-elective",
        "failure",
        "an elective-course registration contains a statement about the course inside a "
        "theme class",
        [
            sc.make("course-launched", ts("05-13", "09:00:00")),
            sc.make("class-course-completed", ts("05-13", "09:50:00"), minutes=49.0),
        ],
    )

    # --- theme classes -------------------------------------------------------------------------
    def klass(name, who, k=X.K_DIGITAL):
        b = X.Builder("sequences/" + name)
        reg = b.registration("seq/" + name)
        return (
            X.Scenario(b, who, reg, course=X.C_DIGITAL, klass=k),
            X.Scenario(b, who, reg, course=X.C_SECRETS, klass=k),
        )

    d, s = klass("class-legal-approved-pass-certificate", X.WANGWU)
    add(
        "class-legal-approved-pass-certificate",
        "success",
        "assigned class: enrolled and approved; studies course A, uses a resource, course B is "
        "exempt (already credited electively), completes A, fails then passes A's assessment, "
        "fails then passes the class assessment (12 − 0.5 = 11.5 credit-hours), gets the "
        "certificate, reviews A",
        [
            d.make("class-registered", ts("05-06", "09:00:00")),
            d.make("class-enrolment-approved", ts("05-06", "09:00:01")),
            d.make("class-course-launched", ts("05-13", "09:15:00")),
            d.make("class-course-initialized", ts("05-13", "09:15:03")),
            d.make("class-course-progressed", ts("05-13", "09:35:03"), minutes=20.0, progress=45),
            d.make(
                "resource-experienced",
                ts("05-13", "09:40:00"),
                parent=[X.class_activity(X.K_DIGITAL)],
                minutes=6.0,
            ),
            d.make(
                "class-course-terminated", ts("05-13", "09:47:00"), minutes=26.0, session="PT32M"
            ),
            s.make("class-course-exempted", ts("05-13", "09:48:00")),
            d.make("class-course-launched", ts("05-14", "20:00:00")),
            d.make("class-course-progressed", ts("05-14", "20:15:00"), minutes=41.0, progress=90),
            d.make("class-course-completed", ts("05-14", "20:21:00"), minutes=47.0),
            d.make(
                "class-course-terminated", ts("05-14", "20:21:20"), minutes=47.3, session="PT21M20S"
            ),
            d.make("class-course-assessment-failed", ts("05-14", "20:40:00"), score=0.55),
            d.make("class-course-assessment-passed", ts("05-15", "20:40:00"), score=0.9),
            d.make("class-assessment-failed", ts("05-24", "15:00:00"), score=0.54),
            d.make("class-assessment-passed", ts("05-27", "15:05:00"), credit=11.5),
            d.make("class-certificate-issued", ts("05-31", "10:00:00")),
            d.make("class-course-launched", ts("06-12", "21:00:00")),
        ],
        CLASS,
    )
    d, s = klass("class-legal-rejected", X.LISI, X.K_OPEN)
    add(
        "class-legal-rejected",
        "success",
        "open class: enrolment rejected (class full)",
        [
            d.make("class-registered", ts("05-06", "16:00:00")),
            d.make("class-enrolment-rejected", ts("05-06", "16:20:00")),
        ],
        CLASS,
    )
    d, s = klass("class-legal-pass-no-certificate", X.ZHANGSAN, X.K_OPEN)
    add(
        "class-legal-pass-no-certificate",
        "success",
        "open class passed without a certificate (the certificate is optional: 可获得, §8.3.6)",
        [
            d.make("class-registered", ts("06-01", "08:00:00")),
            d.make("class-enrolment-approved", ts("06-01", "10:00:00")),
            d.make("class-course-launched", ts("06-02", "20:00:00")),
            d.make("class-course-completed", ts("06-02", "20:48:00"), minutes=48.0),
            d.make("class-assessment-passed", ts("06-10", "15:00:00"), minutes=48.0),
        ],
        CLASS,
    )
    d, s = klass("class-legal-approved-in-progress", X.LISI)
    add(
        "class-legal-approved-in-progress",
        "success",
        "approved and studying; everything after approval is optional, so this already matches",
        [
            d.make("class-registered", ts("05-06", "09:00:00")),
            d.make("class-enrolment-approved", ts("05-06", "09:00:01")),
            d.make("class-course-launched", ts("05-13", "12:00:00")),
            d.make("class-course-progressed", ts("05-13", "12:10:00"), minutes=10.0, progress=22),
        ],
        CLASS,
    )
    d, s = klass("class-illegal-study-before-approval", X.LISI, X.K_OPEN)
    add(
        "class-illegal-study-before-approval",
        "failure",
        "the trainee studies a class course before the enrolment is approved (§8.3.3)",
        [
            d.make("class-registered", ts("06-01", "08:00:00")),
            d.make("class-course-launched", ts("06-01", "08:30:00")),
            d.make("class-enrolment-approved", ts("06-01", "10:00:00")),
        ],
    )
    d, s = klass("class-illegal-certificate-without-pass", X.ZHANGSAN)
    add(
        "class-illegal-certificate-without-pass",
        "failure",
        "a certificate is issued although the class assessment was never passed (§8.3.6)",
        [
            d.make("class-registered", ts("05-06", "09:00:00")),
            d.make("class-enrolment-approved", ts("05-06", "09:00:01")),
            d.make("class-course-launched", ts("05-13", "09:15:00")),
            d.make("class-course-completed", ts("05-13", "10:02:00"), minutes=47.0),
            d.make("class-certificate-issued", ts("05-31", "10:00:00"), number="JY-2024-000322"),
        ],
    )
    d, s = klass("class-illegal-study-after-rejection", X.LISI, X.K_OPEN)
    add(
        "class-illegal-study-after-rejection",
        "failure",
        "the trainee studies in the class after the enrolment was rejected",
        [
            d.make("class-registered", ts("05-06", "16:00:00")),
            d.make("class-enrolment-rejected", ts("05-06", "16:20:00")),
            d.make("class-course-launched", ts("05-07", "20:00:00")),
        ],
    )
    d, s = klass("class-illegal-approved-without-enrol", X.WANGWU)
    add(
        "class-illegal-approved-without-enrol",
        "failure",
        "an approval without a preceding enrolment",
        [
            d.make("class-enrolment-approved", ts("05-06", "09:00:01")),
            d.make("class-course-launched", ts("05-13", "09:15:00")),
        ],
    )
    d, s = klass("class-illegal-elective-statement-in-class", X.WANGWU)
    add(
        "class-illegal-elective-statement-in-class",
        "failure",
        "a class registration contains an elective-learning statement about the same course",
        [
            d.make("class-registered", ts("05-06", "09:00:00")),
            d.make("class-enrolment-approved", ts("05-06", "09:00:01")),
            d.make("course-launched", ts("05-13", "09:15:00")),
        ],
    )
    d, s = klass("class-illegal-fail-after-pass", X.ZHANGSAN, X.K_OPEN)
    add(
        "class-illegal-fail-after-pass",
        "failure",
        "the class assessment is failed after it was passed",
        [
            d.make("class-registered", ts("06-01", "08:00:00")),
            d.make("class-enrolment-approved", ts("06-01", "10:00:00")),
            d.make("class-assessment-passed", ts("06-10", "15:00:00")),
            d.make("class-assessment-failed", ts("06-11", "15:00:00")),
        ],
    )
    d, s = klass("class-illegal-two-certificates", X.WANGWU)
    add(
        "class-illegal-two-certificates",
        "failure",
        "two certificates for one trainee in one class",
        [
            d.make("class-registered", ts("05-06", "09:00:00")),
            d.make("class-enrolment-approved", ts("05-06", "09:00:01")),
            d.make("class-assessment-passed", ts("05-27", "15:05:00")),
            d.make("class-certificate-issued", ts("05-31", "10:00:00")),
            d.make("class-certificate-issued", ts("06-01", "10:00:00"), number="JY-2024-000399"),
        ],
    )

    # --- auxiliary resources ---------------------------------------------------------------------
    b = X.Builder("sequences/resource-legal-use")
    sc = X.Scenario(b, X.LISI, b.registration("seq/resource-legal-use"))
    add(
        "resource-legal-use",
        "success",
        "an auxiliary resource read twice",
        [
            sc.make("resource-experienced", ts("04-10", "12:30:00"), minutes=12.0),
            sc.make("resource-experienced", ts("04-11", "12:30:00"), minutes=20.5),
        ],
        RESOURCE,
    )
    b = X.Builder("sequences/resource-illegal-course-statement")
    sc = X.Scenario(
        b,
        X.LISI,
        b.registration("seq/resource-illegal-course-statement"),
        course=X.C_SECRETS,
        requirement="elective",
    )
    add(
        "resource-illegal-course-statement",
        "failure",
        "a resource registration continues with a course statement that matches no primary pattern",
        [
            sc.make("resource-experienced", ts("04-10", "12:30:00"), minutes=12.0),
            sc.make("course-launched", ts("04-10", "12:45:00")),
        ],
    )


# ---------------------------------------------------------------------------------------------
# README generated sections
# ---------------------------------------------------------------------------------------------
def short(iri: str) -> str:
    for prefix, name in ((P.EX, "ext:"), (P.AT, "type:"), (P.VB, "verb:"), (P.TP, ""), (P.PT, "")):
        if iri.startswith(prefix):
            return name + iri[len(prefix) :]
    return iri


def md_external() -> str:
    out = ["| IRI | kind | defined in | use here |", "|---|---|---|---|"]
    for iri, kind, where, use in P.EXTERNAL_CONCEPTS:
        out.append(f"| `{iri}` | {kind} | {where} | {use} |")
    return "\n".join(out)


def md_extensions() -> str:
    out = ["| IRI | 中文 | type | value | unit | example |", "|---|---|---|---|---|---|"]
    for e in P.EXTENSIONS:
        sch = json.loads(e["inlineSchema"])
        value = sch.get("type", "")
        if "enum" in sch:
            value += (
                " ∈ {" + ", ".join(json.dumps(v, ensure_ascii=False) for v in sch["enum"]) + "}"
            )
        out.append(
            f"| `{e['id']}` | {e['prefLabel']['zh-CN']} | {e['type']} | {value} | "
            f"{e['_unit']} | `{e['_example']}` |"
        )
    return "\n".join(out)


def presence_of(t: dict, location: str) -> str:
    for r in t["rules"]:
        if r["location"] == location:
            return r.get("presence", "—")
    return ""


def md_template_matrix() -> str:
    cols = [
        ("agreed-identifier", P.ctx(P.E_AGREED_ID)),
        ("record-year", P.ctx(P.E_YEAR)),
        ("course-requirement", P.ctx(P.E_REQUIREMENT)),
        ("learning-duration", P.res(P.E_LEARNING_DURATION)),
        ("credit-hours-earned", P.res(P.E_CREDIT_EARNED)),
        ("exemption-source", P.res(P.E_EXEMPTION_SOURCE)),
        ("result.success", "$.result.success"),
        ("result.completion", "$.result.completion"),
    ]
    head = (
        "| template | verb | object type | parent / grouping | "
        + " | ".join(c for c, _ in cols)
        + " |"
    )
    out = [head, "|" + "---|" * (4 + len(cols))]
    for t in P.TEMPLATES:
        ctxs = []
        if "contextParentActivityType" in t:
            ctxs.append("parent " + ", ".join(short(x) for x in t["contextParentActivityType"]))
        if "contextGroupingActivityType" in t:
            ctxs.append("grouping " + ", ".join(short(x) for x in t["contextGroupingActivityType"]))
        cells = []
        for _, loc in cols:
            p = presence_of(t, loc)
            rr = next((r for r in t["rules"] if r["location"] == loc), None)
            if rr and "all" in rr:
                p = (p + " " if p != "—" else "") + "= " + json.dumps(rr["all"][0])
            if rr and "none" in rr and p == "—":
                p = "≠ " + json.dumps(rr["none"][0])
            cells.append(p)
        out.append(
            f"| `{short(t['id'])}` | {short(t['verb']).rsplit('/', 1)[-1]} | "
            f"{short(t['objectActivityType'])} | {'; '.join(ctxs) or '—'} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(out)


def md_examples(valid: dict[str, dict]) -> str:
    out = []
    for t in P.TEMPLATES:
        s = P.slug(t["id"])
        out.append(f"### `{s}` — {t['prefLabel']['zh-CN']} / {t['prefLabel']['en']}\n")
        out.append(f"{t['definition']['zh-CN']}  \n{t['definition']['en']}\n")
        det = [f"verb `{t['verb']}`", f"object type `{t['objectActivityType']}`"]
        if "contextParentActivityType" in t:
            det.append("parent type " + ", ".join(f"`{x}`" for x in t["contextParentActivityType"]))
        if "contextGroupingActivityType" in t:
            det.append(
                "grouping type " + ", ".join(f"`{x}`" for x in t["contextGroupingActivityType"])
            )
        out.append("Determining properties: " + "; ".join(det) + ".\n")
        out.append(f"File: [`examples/valid/{s}.json`](examples/valid/{s}.json)\n")
        out.append("```json\n" + json.dumps(valid[s], ensure_ascii=False, indent=2) + "\n```\n")
    return "\n".join(out)


def md_sequences() -> str:
    out = ["| file | expected | what happens |", "|---|---|---|"]
    for name, expect, why, _, _ in SEQUENCES:
        out.append(f"| [`{name}.json`](examples/sequences/{name}.json) | {expect} | {why} |")
    return "\n".join(out)


def md_invalid() -> str:
    out = ["| file | kind | problem |", "|---|---|---|"]
    for slug_, what, kind, _, _, why in INVALID:
        f = f"{slug_}-{what}.json"
        out.append(f"| [`{f}`](examples/invalid/{f}) | {kind} | {why} |")
    return "\n".join(out)


def replace_section(text: str, name: str, body: str) -> str:
    pattern = re.compile(
        rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.S
    )
    if not pattern.search(text):
        raise SystemExit(f"README.md has no GENERATED: {name} markers")
    return pattern.sub(lambda m: m.group(1) + body.rstrip() + "\n" + m.group(2), text)


# ---------------------------------------------------------------------------------------------
def main() -> None:
    doc = P.profile_document()
    dump(ROOT / "v1.0.jsonld", doc)

    for sub in ("valid", "invalid", "sequences"):
        d = EXAMPLES / sub
        if d.exists():
            for f in d.iterdir():
                f.unlink()

    manifest: dict = {
        "profile": P.PROFILE_ID,
        "version": P.VERSION_ID,
        "valid": [],
        "invalid": [],
        "sequences": [],
    }
    valid = {}
    for t in P.TEMPLATES:
        s = P.slug(t["id"])
        valid[s] = valid_example(s)
        dump(EXAMPLES / "valid" / f"{s}.json", valid[s])
        manifest["valid"].append(
            {"file": f"valid/{s}.json", "template": t["id"], "expect": "success"}
        )

    for slug_, what, kind, mutate, locations, why in INVALID:
        st = copy.deepcopy(valid[slug_])
        st["id"] = X.Builder(f"invalid/{slug_}-{what}")._id()
        mutate(st)
        name = f"{slug_}-{what}"
        dump(EXAMPLES / "invalid" / f"{name}.json", st)
        (EXAMPLES / "invalid" / f"{name}.reason.txt").write_text(
            reason_text(slug_, what, kind, locations, why), encoding="utf-8"
        )
        entry = {
            "file": f"invalid/{name}.json",
            "template": P.TP + slug_,
            "kind": kind,
            "expect": "reject",
            "templateOutcome": "invalid" if kind == "rule" else "success",
        }
        if kind == "rule":
            entry["rules"] = [rule_index(slug_, loc) for loc in locations]
        else:
            entry["extensions"] = locations
        manifest["invalid"].append(entry)

    import selfcheck  # reads the profile just written

    for entry in manifest["valid"]:
        st = json.loads((EXAMPLES / entry["file"]).read_text(encoding="utf-8"))
        entry["patternAlone"] = selfcheck.follows([st])[0]

    build_sequences()
    for name, expect, why, statements, pattern in SEQUENCES:
        dump(EXAMPLES / "sequences" / f"{name}.json", statements)
        entry = {"file": f"sequences/{name}.json", "expect": expect, "why": why}
        if pattern:
            entry["pattern"] = pattern
        manifest["sequences"].append(entry)
    manifest["notes"] = {
        "valid.expect": "Statement Template validation (validates) returns success, and the "
        "template is among the matching ones",
        "invalid.templateOutcome": "what the spec's validates() algorithm gives for the "
        "statement: 'invalid' for kind=rule (rules: indexes of the "
        "template's rules that fail); 'success' for kind=schema (an "
        "extension value breaks its inlineSchema) and kind=semantic "
        "(breaks a cross-field rule stated in a concept definition), "
        "which a stricter validator should still reject",
        "valid.patternAlone": "what pattern validation gives for the statement alone in its "
        "registration: most statements cannot start a registration, so "
        "'failure' there is expected and is not a template problem",
        "sequences.expect": "success: follows() succeeds (pattern: the primary pattern that "
        "matches); partial: matches() of the primary pattern returns "
        "partial with nothing left (legal so far, unfinished); failure: no "
        "primary pattern matches",
    }
    dump(EXAMPLES / "manifest.json", manifest)

    readme = ROOT / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        text = replace_section(text, "external", md_external())
        text = replace_section(text, "extensions", md_extensions())
        text = replace_section(text, "matrix", md_template_matrix())
        text = replace_section(text, "examples", md_examples(valid))
        text = replace_section(text, "sequences", md_sequences())
        text = replace_section(text, "invalid", md_invalid())
        readme.write_text(text, encoding="utf-8")
    print(
        f"wrote {ROOT / 'v1.0.jsonld'}: {len(doc['concepts'])} concepts, "
        f"{len(doc['templates'])} templates, {len(doc['patterns'])} patterns; "
        f"{len(valid)} valid, {len(INVALID)} invalid, {len(SEQUENCES)} sequences"
    )


if __name__ == "__main__":
    main()
