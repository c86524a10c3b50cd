"""Realistic cadre-training xAPI statements for benchmarks (deterministic for a seed).

The world: a few training-institution platforms, each with its own account
namespace (``account.homePage``); units (学员所属单位) under provincial and city
organisation departments; trainees who belong to a unit and hold an account on
one platform (some on two, linked by the agreed identifier 约定的标识符);
courses (required / elective, with a duration and the credit-hours that follow
from it, GB/T 38856 §3.8), theme classes (专题班) made of a platform's courses.

Every course enrolment gets its own ``registration``. An enrolment emits its
statements in order (by default registered → launched → progressed… →
completed → passed/failed when the course has an assessment); many enrolments
run interleaved. Timestamps follow a calendar year with a December rush
(Fujian's window: study until 20 December, statistics afterwards).

When the cadre-training profile exists (``profiles/cadre-training/v1.0.jsonld``)
the generator reads it: an enrolment's lifecycle becomes a random walk of one of
the profile's primary patterns, every statement follows its template (verb,
activity types, ``included`` / ``excluded`` rules, ``any`` / ``all`` values)
and carries the profile's version IRI in ``contextActivities.category``.
Extension values are chosen by the meaning of the extension's IRI (unit,
credit-hours, durations…) and checked against the concept's ``inlineSchema``.
Without the profile it uses a built-in vocabulary under
``https://w3id.org/xapi/cadre-training/``.

Library::

    from generate import CadreTrainingGenerator
    gen = CadreTrainingGenerator(seed=1, trainees=5000, courses=800)
    for statement in gen.statements(10_000): ...

CLI (JSON lines on stdout or ``--out``)::

    python scripts/bench/generate.py --count 10000 --seed 1 --out /tmp/s.jsonl
"""

from __future__ import annotations

import argparse
import bisect
import functools
import itertools
import json
import random
import re
import sys
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

GENERATOR_VERSION = "2"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_PROFILE = REPO / "profiles" / "cadre-training" / "v1.0.jsonld"

BASE = "https://w3id.org/xapi/cadre-training/"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": (ADL + "registered", "报名"),
    "launched": (ADL + "launched", "开始学习"),
    "progressed": (ADL + "progressed", "学习进度"),
    "completed": (ADL + "completed", "完成"),
    "passed": (ADL + "passed", "考核通过"),
    "failed": (ADL + "failed", "考核未通过"),
}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
CLASS_TYPE = BASE + "activity-types/theme-class"
PROFILE_TYPE = "http://adlnet.gov/expapi/activities/profile"
DEFAULT_VERSION_IRI = BASE + "v1.0"
# role -> extension IRI of the built-in vocabulary ("c" context, "r" result)
DEFAULT_EXTENSIONS = {
    "unit": ("c", BASE + "extensions/unit"),
    "agreed_id": ("c", BASE + "extensions/agreed-identifier"),
    "course_kind": ("c", BASE + "extensions/course-kind"),
    "course_duration": ("c", BASE + "extensions/course-duration"),
    "credit_hours": ("c", BASE + "extensions/credit-hours"),
    "class_kind": ("c", BASE + "extensions/class-kind"),
    "training_year": ("c", BASE + "extensions/training-year"),
    "learning_duration": ("r", BASE + "extensions/learning-duration"),
    "progress": ("r", BASE + "extensions/progress"),
}
# Keywords of an extension IRI's last segment -> role (first match wins).
ROLE_KEYWORDS = (
    ("agreed_id", ("agreed", "identifier", "cadre-id", "person-id")),
    ("unit", ("unit", "employer", "organization", "organisation")),
    ("bonus", ("bonus",)),
    ("credit_earned", ("earned", "granted", "awarded")),
    ("class_credit_hours", ("class-credit",)),
    ("credit_hours", ("credit",)),
    ("course_duration", ("course-duration", "course-length", "expected")),
    ("learning_duration", ("learning-duration", "study-duration", "duration", "time-spent")),
    ("assessed", ("assessment-required", "assessed", "has-assessment")),
    ("exemption_source", ("exemption-source", "exempted-by", "source")),
    ("course_code", ("course-code",)),
    ("course_kind", ("course-kind", "course-type", "compulsory", "requirement", "required",
                     "elective")),
    ("class_kind", ("class-kind", "class-type", "assigned")),
    ("training_year", ("year", "period")),
    ("progress", ("progress", "percent")),
    ("position", ("position", "post")),
    ("rank", ("rank", "grade", "level")),
    ("platform", ("platform", "institution")),
    ("department", ("department", "jurisdiction", "org-path")),
    ("exempt", ("exempt",)),
    ("certificate", ("certificate",)),
    ("score", ("score",)),
)

PROVINCES = {"fj": ["fz", "xm", "qz", "zz", "np"], "hn": ["cs", "zz", "xt", "hy", "yy"]}
PLATFORMS = [
    ("fj", "福建干部网络学院", "https://www.fjgbxy.example.cn"),
    ("hn", "湖南干部教育培训网络学院", "https://www.hngbjy.example.cn"),
    ("nat", "中国干部网络学院", "https://www.celap-online.example.cn"),
    ("fjfz", "福州市干部网络学院", "https://fz.fjgbxy.example.cn"),
    ("hncs", "长沙市干部网络学院", "https://cs.hngbjy.example.cn"),
    ("fjxm", "厦门市干部网络学院", "https://xm.fjgbxy.example.cn"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
    "宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏辉玲婷"
TOPICS = [
    "习近平新时代中国特色社会主义思想",
    "党的二十大精神",
    "全面从严治党",
    "法治政府建设",
    "数字政府与治理能力",
    "乡村振兴战略",
    "生态文明建设",
    "领导干部心理调适",
    "应急管理与风险防范",
    "统计法律法规",
    "公文写作与处理",
    "经济形势与政策",
    "保密知识",
    "廉洁从政",
]
POSITIONS = ["科员", "副科长", "科长", "副处长", "处长", "副局长", "局长"]
RANKS = ["一级科员", "四级主任科员", "一级主任科员", "二级调研员", "一级调研员", "二级巡视员"]


# ---------------------------------------------------------------------------- the world


@dataclass
class Platform:
    code: str
    name: str
    home: str


@dataclass
class Trainee:
    index: int
    name: str
    agreed_id: str
    unit: str
    department: str
    position: str
    rank: str
    accounts: list[tuple[Platform, str]]
    weight: float


@dataclass
class Course:
    iri: str
    title: str
    platform: Platform
    minutes: int
    required: bool
    assessed: bool

    @property
    def credit_hours(self) -> float:
        # GB/T 38856 §3.8: ≤15 min → 0.25; ≤30 → 0.5; more → 1.
        if self.minutes <= 15:
            return 0.25
        return 0.5 if self.minutes <= 30 else 1.0


@dataclass
class ThemeClass:
    iri: str
    title: str
    platform: Platform
    assigned: bool
    courses: list[Course]


@dataclass
class Enrolment:
    trainee: Trainee
    account: tuple[Platform, str]
    course: Course
    theme_class: ThemeClass | None
    registration: str
    clock: datetime
    steps: list[Any]  # step names (built-in) or template ids (profile)
    learned: int = 0
    position: int = 0
    passed: bool = True
    emitted: list[str] = field(default_factory=list)
    template: str = ""  # the template of the statement being built (profile mode)


# ---------------------------------------------------------------------------- the profile


class ProfileModel:
    """What the generator needs from an xAPI Profile document."""

    def __init__(self, document: dict[str, Any], path: str) -> None:
        self.path = path
        self.id = document.get("id", "")
        versions = document.get("versions") or []
        self.version_id = versions[0]["id"] if versions and "id" in versions[0] else self.id
        self.concepts = {c["id"]: c for c in document.get("concepts", []) if "id" in c}
        self.templates = {t["id"]: t for t in document.get("templates", []) if "id" in t}
        self.patterns = {p["id"]: p for p in document.get("patterns", []) if "id" in p}
        self.primary = [p for p in self.patterns.values() if p.get("primary")]
        # Extension roles: our meaning of each extension concept the profile defines.
        self.roles: dict[str, tuple[str, str]] = {}
        for concept in self.concepts.values():
            kind = concept.get("type", "")
            if kind not in ("ContextExtension", "ResultExtension", "ActivityExtension"):
                continue
            role = role_of(concept["id"])
            if role and role not in self.roles and kind != "ActivityExtension":
                self.roles[role] = ("c" if kind == "ContextExtension" else "r", concept["id"])

    @classmethod
    def load(cls, path: str | Path) -> ProfileModel:
        with open(path, encoding="utf-8") as fh:
            return cls(json.load(fh), str(path))

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one model per generator, few IRIs
    def schema_of(self, iri: str) -> dict[str, Any] | None:
        concept = self.concepts.get(iri)
        if not concept or "inlineSchema" not in concept:
            return None
        try:
            schema = json.loads(concept["inlineSchema"])
        except ValueError:
            return None
        return schema if isinstance(schema, dict) else None

    def walk(self, rng: random.Random, in_class: bool = False) -> list[str]:
        """Template ids of one random run through a primary pattern.

        A class enrolment walks a primary pattern named like a class one; other
        enrolments mostly a course pattern, now and then any other.
        """
        if not self.primary:
            return list(self.templates)[: max(1, min(4, len(self.templates)))]
        classy = [p for p in self.primary if "class" in p["id"].lower()]
        coursy = [p for p in self.primary if "course" in p["id"].lower() and p not in classy]
        rest = [p for p in self.primary if p not in classy and p not in coursy]
        if in_class and classy:
            choice = rng.choice(classy)
        elif coursy and (not rest or rng.random() < 0.93):
            choice = rng.choice(coursy)
        else:
            choice = rng.choice(rest or self.primary)
        out: list[str] = []
        self._walk(choice["id"], rng, out, 0)
        return out or [next(iter(self.templates))]

    def _walk(self, node: str, rng: random.Random, out: list[str], depth: int) -> None:
        if node in self.templates:
            out.append(node)
            return
        pattern = self.patterns.get(node)
        if pattern is None or depth > 20:
            return
        if "sequence" in pattern:
            for item in pattern["sequence"]:
                self._walk(item, rng, out, depth + 1)
        elif "alternates" in pattern:
            self._walk(rng.choice(pattern["alternates"]), rng, out, depth + 1)
        elif "optional" in pattern:
            if rng.random() < 0.6:
                self._walk(pattern["optional"], rng, out, depth + 1)
        elif "oneOrMore" in pattern:
            for _ in range(rng.randint(1, 3 if depth else 5)):
                self._walk(pattern["oneOrMore"], rng, out, depth + 1)
        elif "zeroOrMore" in pattern:
            # deeper repetitions are shorter, so a run stays tens of statements long
            for _ in range(rng.randint(0, 6 if depth < 4 else 2)):
                self._walk(pattern["zeroOrMore"], rng, out, depth + 1)


@functools.lru_cache(maxsize=4096)
def role_of(iri: str) -> str | None:
    last = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    for role, words in ROLE_KEYWORDS:
        if any(word in last for word in words):
            return role
    return None


_TOKEN_RE = re.compile(
    r"""\.([A-Za-z0-9_@$-]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[(\*|\d+)\]"""
)


@functools.lru_cache(maxsize=4096)
def _parse_location(location: str) -> tuple[str | int, ...] | None:
    parts = parse_location_uncached(location)
    return None if parts is None else tuple(parts)


def parse_location(location: str) -> list[str | int] | None:
    parts = _parse_location(location)
    return None if parts is None else list(parts)


def parse_location_uncached(location: str) -> list[str | int] | None:
    """``$.context.extensions['iri'].x[0]`` → ['context', 'extensions', 'iri', 'x', 0]."""
    text = location.split("|")[0].strip()
    if text.startswith("$"):
        text = text[1:]
    elif not text.startswith((".", "[")):
        text = "." + text
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if not match:
            return None
        name = match.group(1) or match.group(2) or match.group(3)
        if name is not None:
            parts.append(name)
        else:
            parts.append(0)  # [*] and [n]: the first element
        pos = match.end()
    return parts


# ---------------------------------------------------------------------------- the generator


class CadreTrainingGenerator:
    """Deterministic stream of cadre-training statements for a seed and world size."""

    def __init__(
        self,
        seed: int = 1,
        trainees: int = 5000,
        courses: int = 800,
        classes: int = 40,
        units: int | None = None,
        platforms: int = 4,
        year: int = 2026,
        concurrent_enrolments: int = 64,
        profile: str | Path | None | bool = True,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.year = year
        if profile is True:
            profile = DEFAULT_PROFILE if DEFAULT_PROFILE.exists() else None
        self.profile = ProfileModel.load(profile) if profile else None
        self.unsatisfied_rules: Counter[str] = Counter()
        self.extensions = dict(self.profile.roles) if self.profile else dict(DEFAULT_EXTENSIONS)
        self.version_iri = self.profile.version_id if self.profile else DEFAULT_VERSION_IRI
        self._build_world(trainees, courses, classes, units, platforms)
        self._days, self._day_weights = self._calendar(year)
        self._active: list[Enrolment] = []
        self._concurrent = max(1, concurrent_enrolments)
        # What was generated, for picking query parameters afterwards.
        self.count = 0
        self.agent_counts: Counter[str] = Counter()
        self.verb_counts: Counter[str] = Counter()
        self.course_counts: Counter[str] = Counter()
        self.class_counts: Counter[str] = Counter()
        self.samples: list[dict[str, str]] = []  # recent (agent, verb, course, registration)

    # -- world ------------------------------------------------------------------------

    def _build_world(self, n_trainees, n_courses, n_classes, n_units, n_platforms) -> None:
        rng = self.rng
        self.platforms = [Platform(*p) for p in PLATFORMS[: max(1, min(n_platforms, 6))]]
        n_units = n_units or max(1, n_trainees // 25)
        cities = [(p, c) for p, cs in PROVINCES.items() for c in cs]
        self.units = []
        for i in range(n_units):
            prov, city = cities[i % len(cities)]
            self.units.append((f"{prov}-{city}-{i:04d}", f"{prov}/{city}"))
        self.trainees: list[Trainee] = []
        for i in range(n_trainees):
            unit, dept = rng.choice(self.units)
            home = self.platforms[i % len(self.platforms)]
            # The seed is part of the account name: each seed is a different set of
            # people, and one account belongs to one person (a name reused across
            # worlds would be an account claimed by two agreed identifiers).
            accounts = [(home, f"{home.code}{self.seed:04d}{i:07d}")]
            if len(self.platforms) > 1 and rng.random() < 0.15:  # moved or studies elsewhere
                other = rng.choice([p for p in self.platforms if p is not home])
                accounts.append((other, f"u{rng.getrandbits(40):010x}"))
            given = "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
            name = rng.choice(SURNAMES) + given
            self.trainees.append(
                Trainee(
                    index=i,
                    name=name,
                    agreed_id=f"GB{rng.getrandbits(60):015x}",
                    unit=unit,
                    department=dept,
                    position=rng.choice(POSITIONS),
                    rank=rng.choice(RANKS),
                    accounts=accounts,
                    # heavy tail: a few very active trainees, many occasional ones
                    weight=rng.lognormvariate(0, 1.2),
                )
            )
        self._trainee_cum = list(itertools.accumulate(t.weight for t in self.trainees))
        self.courses: list[Course] = []
        for i in range(n_courses):
            platform = self.platforms[i % len(self.platforms)]
            topic = rng.choice(TOPICS)
            self.courses.append(
                Course(
                    iri=f"{platform.home}/courses/c{i:05d}",
                    title=f"{topic}（第{rng.randint(1, 12)}讲）",
                    platform=platform,
                    minutes=rng.choice([12, 15, 20, 25, 30, 40, 45, 60, 90]),
                    required=rng.random() < 0.3,
                    assessed=rng.random() < 0.5,
                )
            )
        self._course_cum = list(
            itertools.accumulate(1.0 / (1 + i % 97) ** 0.7 for i in range(n_courses))
        )
        self.classes: list[ThemeClass] = []
        for i in range(n_classes):
            platform = self.platforms[i % len(self.platforms)]
            own = [c for c in self.courses if c.platform is platform] or self.courses
            self.classes.append(
                ThemeClass(
                    iri=f"{platform.home}/classes/k{i:04d}",
                    title=f"{self.year}年{rng.choice(TOPICS)}专题班",
                    platform=platform,
                    assigned=rng.random() < 0.6,
                    courses=rng.sample(own, min(len(own), rng.randint(5, 12))),
                )
            )

    @staticmethod
    def _calendar(year: int) -> tuple[list[datetime], list[float]]:
        days, weights, day = [], [], datetime(year, 1, 1, tzinfo=UTC)
        total = 0.0
        while day.year == year:
            if day.month == 12 and day.day <= 20:
                w = 5.0  # the December rush before the study window closes
            elif day.month == 12:
                w = 0.2  # statistics period
            elif day.month in (1, 2):
                w = 0.6
            else:
                w = 1.0
            if day.weekday() >= 5:
                w *= 0.5
            total += w
            days.append(day)
            weights.append(total)
            day += timedelta(days=1)
        return days, weights

    # -- enrolments -------------------------------------------------------------------

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _new_enrolment(self) -> Enrolment:
        rng = self.rng
        trainee = self.trainees[
            bisect.bisect_left(self._trainee_cum, rng.random() * self._trainee_cum[-1])
        ]
        account = trainee.accounts[0] if rng.random() < 0.8 else rng.choice(trainee.accounts)
        theme_class = None
        if self.classes and rng.random() < 0.35:
            theme_class = rng.choice(self.classes)
            course = rng.choice(theme_class.courses)
        else:
            course = self.courses[
                bisect.bisect_left(self._course_cum, rng.random() * self._course_cum[-1])
            ]
        day = rng.choices(self._days, cum_weights=self._day_weights)[0]
        clock = day + timedelta(seconds=rng.randint(7 * 3600, 23 * 3600))
        if self.profile:
            steps: list[Any] = self.profile.walk(rng, theme_class is not None)
            if theme_class is None:
                # An assessment in the run needs a course that has one, and a
                # course that has one is not credited by completion alone.
                assessed = any("assessment" in str(t).lower() for t in steps)
                for _ in range(20):
                    if course.assessed == assessed:
                        break
                    course = self.courses[bisect.bisect_left(
                        self._course_cum, rng.random() * self._course_cum[-1])]
        else:
            steps = ["registered"] if theme_class else []
            steps.append("launched")
            steps.extend(["progressed"] * rng.randint(1, 4))
            steps.append("completed")
            if course.assessed:
                steps.append("passed" if rng.random() < 0.85 else "failed")
        return Enrolment(trainee, account, course, theme_class, self._uuid(), clock, steps)

    def statements(self, n: int) -> Iterator[dict[str, Any]]:
        """The next ``n`` statements of the stream."""
        for _ in range(n):
            yield self.next_statement()

    def batches(self, n: int, size: int) -> Iterator[list[dict[str, Any]]]:
        """The next ``n`` statements in lists of ``size``."""
        while n > 0:
            k = min(size, n)
            yield list(self.statements(k))
            n -= k

    def next_statement(self) -> dict[str, Any]:
        rng = self.rng
        while len(self._active) < self._concurrent:
            self._active.append(self._new_enrolment())
        slot = rng.randrange(len(self._active))
        enrolment = self._active[slot]
        step = enrolment.steps[enrolment.position]
        enrolment.position += 1
        enrolment.clock += timedelta(seconds=rng.randint(30, 3 * 3600))
        if enrolment.position >= len(enrolment.steps):
            self._active[slot] = self._new_enrolment()
        if self.profile:
            statement = self._from_template(enrolment, step)
        else:
            statement = self._builtin(enrolment, step)
        enrolment.emitted.append(statement["id"])
        self._count(statement, enrolment)
        return statement

    def _count(self, statement: dict[str, Any], enrolment: Enrolment) -> None:
        self.count += 1
        actor = statement["actor"]
        key = json.dumps(actor_ifi(actor), separators=(",", ":"), sort_keys=True)
        self.agent_counts[key] += 1
        verb = statement["verb"]["id"]
        self.verb_counts[verb] += 1
        obj = statement["object"].get("id", "")
        self.course_counts[obj] += 1
        if enrolment.theme_class:
            self.class_counts[enrolment.theme_class.iri] += 1
        if self.count % 97 == 0 or len(self.samples) < 50:
            self.samples.append(
                {
                    "agent": key,
                    "verb": verb,
                    "activity": obj,
                    "registration": statement.get("context", {}).get("registration", ""),
                }
            )
            if len(self.samples) > 2000:
                del self.samples[:1000]

    # -- statement parts --------------------------------------------------------------

    def _actor(self, e: Enrolment) -> dict[str, Any]:
        platform, account = e.account
        return {
            "objectType": "Agent",
            "name": e.trainee.name,
            "account": {"homePage": platform.home, "name": account},
        }

    @staticmethod
    def _verb(name: str) -> dict[str, Any]:
        iri, zh = VERBS[name]
        return {"id": iri, "display": {"zh-CN": zh, "en-US": name}}

    @staticmethod
    def _course_activity(course: Course, activity_type: str = COURSE_TYPE) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": course.iri,
            "definition": {
                "type": activity_type,
                "name": {"zh-CN": course.title},
            },
        }

    @staticmethod
    def _class_activity(theme_class: ThemeClass, activity_type: str = CLASS_TYPE) -> dict[str, Any]:
        return {
            "id": theme_class.iri,
            "definition": {"type": activity_type, "name": {"zh-CN": theme_class.title}},
        }

    def _category(self) -> dict[str, Any]:
        return {"id": self.version_iri, "definition": {"type": PROFILE_TYPE}}

    def _role_value(self, role: str, e: Enrolment, verb: str = "") -> Any:
        course, trainee = e.course, e.trainee
        if role == "unit":
            return trainee.unit
        if role == "agreed_id":
            return trainee.agreed_id
        if role == "course_kind":
            return "required" if course.required else "elective"
        if role == "course_duration":
            return course.minutes
        if role == "credit_hours":
            return course.credit_hours
        if role == "class_kind":
            return "assigned" if e.theme_class and e.theme_class.assigned else "open"
        if role == "training_year":
            return self.year
        if role == "learning_duration":
            return e.learned
        if role == "progress":
            return round(min(1.0, e.learned / max(1, course.minutes)), 2)
        if role == "position":
            return trainee.position
        if role == "rank":
            return trainee.rank
        if role == "platform":
            return e.account[0].code
        if role == "department":
            return trainee.department
        if role == "exempt":
            return False
        if role == "assessed":
            return course.assessed
        if role == "exemption_source":
            if not self.classes:
                return course.iri
            return self.classes[int(e.registration[:8], 16) % len(self.classes)].iri
        if role == "course_code":
            return course.iri.rsplit("/", 1)[-1]
        if role == "class_credit_hours":
            courses = e.theme_class.courses if e.theme_class else [course]
            return sum(c.credit_hours for c in courses)
        if role == "bonus":
            return 0
        if role == "credit_earned":
            # GB/T 38856 §8.2.5: an assessed course earns its hours when passed,
            # any other when completed; a class when its assessment is passed.
            tid = e.template.lower()
            if "class-assessment" in tid:
                return self._role_value("class_credit_hours", e)
            if "complet" in tid and course.assessed:
                return 0
            return course.credit_hours
        if role == "certificate":
            return f"CERT-{e.registration[:8]}"
        if role == "score":
            return round(self.rng.uniform(60, 100), 1)
        return None

    def _builtin(self, e: Enrolment, step: str) -> dict[str, Any]:
        rng = self.rng
        course = e.course
        ctx_ext: dict[str, Any] = {}
        res_ext: dict[str, Any] = {}
        for role in ("unit", "agreed_id", "course_kind", "course_duration", "credit_hours",
                     "training_year"):
            ctx_ext[DEFAULT_EXTENSIONS[role][1]] = self._role_value(role, e)
        if e.theme_class:
            ctx_ext[DEFAULT_EXTENSIONS["class_kind"][1]] = self._role_value("class_kind", e)
        statement: dict[str, Any] = {
            "id": self._uuid(),
            "actor": self._actor(e),
            "verb": self._verb(step),
            "object": self._course_activity(course),
        }
        result: dict[str, Any] | None = None
        if step == "progressed":
            e.learned += rng.randint(3, max(4, course.minutes // 2))
            res_ext[DEFAULT_EXTENSIONS["learning_duration"][1]] = e.learned
            res_ext[DEFAULT_EXTENSIONS["progress"][1]] = self._role_value("progress", e)
            result = {"duration": f"PT{e.learned}M", "extensions": res_ext}
        elif step == "completed":
            e.learned = max(e.learned, course.minutes)
            res_ext[DEFAULT_EXTENSIONS["learning_duration"][1]] = e.learned
            result = {"completion": True, "duration": f"PT{e.learned}M", "extensions": res_ext}
        elif step in ("passed", "failed"):
            scaled = rng.uniform(0.6, 1.0) if step == "passed" else rng.uniform(0.1, 0.59)
            result = {
                "success": step == "passed",
                "completion": True,
                "score": {"scaled": round(scaled, 2), "raw": round(scaled * 100), "min": 0,
                          "max": 100},
            }
        if result is not None:
            statement["result"] = result
        # No profile category: these statements follow no published profile.
        activities: dict[str, Any] = {}
        if e.theme_class:
            activities["grouping"] = [self._class_activity(e.theme_class)]
        statement["context"] = {
            "registration": e.registration,
            "platform": e.account[0].name,
            "language": "zh-CN",
            "extensions": ctx_ext,
        }
        if activities:
            statement["context"]["contextActivities"] = activities
        statement["timestamp"] = stamp(e.clock)
        return statement

    # -- statements from a profile's templates ----------------------------------------

    def _activity_for_type(self, e: Enrolment, activity_type: str) -> dict[str, Any]:
        """An activity of ``activity_type`` that fits the enrolment (by the type's name)."""
        lowered = activity_type.lower().rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        course, platform = e.course, e.course.platform
        theme_class = e.theme_class
        if theme_class is None and "class" in lowered and self.classes:
            own = [k for k in self.classes if k.platform is platform] or self.classes
            theme_class = own[0]
        if activity_type == PROFILE_TYPE:
            return self._category()
        if "assessment" in lowered or "exam" in lowered:
            if "class" in lowered and theme_class is not None:
                iri, title = theme_class.iri, f"专题班考核：{theme_class.title}"
            else:
                iri, title = course.iri, f"课程考核：{course.title}"
            return _activity(iri + "/assessment", activity_type, title)
        if "certificate" in lowered and theme_class is not None:
            return _activity(theme_class.iri + "/certificate", activity_type,
                             f"结业证书：{theme_class.title}")
        if "programme" in lowered or "program" in lowered:
            return _activity(f"{platform.home}/elective/{self.year}", activity_type,
                             f"{self.year}年度{platform.name}在线选学")
        if "resource" in lowered:
            n = zlib.crc32(f"{e.registration}{e.position}".encode()) % 200
            return _activity(f"{platform.home}/resources/r{n:03d}", activity_type,
                             f"辅助学习资源：{TOPICS[n % len(TOPICS)]}")
        if "class" in lowered and theme_class is not None:
            return self._class_activity(theme_class, activity_type)
        if "course" in lowered or "module" in lowered or "lesson" in lowered:
            activity = self._course_activity(course, activity_type)
            activity.pop("objectType")
            return activity
        n = zlib.crc32(f"{lowered}{course.iri}".encode()) % 1000
        return _activity(f"{platform.home}/{lowered}/{n:03d}", activity_type, lowered)

    def _from_template(self, e: Enrolment, template_id: str) -> dict[str, Any]:
        assert self.profile is not None
        rng = self.rng
        template = self.profile.templates[template_id]
        e.template = template_id
        if e.theme_class is not None:  # the courses of a class interleave
            pool = e.theme_class.courses
            if "assessment" in template_id.lower() and "class-assessment" not in template_id:
                pool = [c for c in pool if c.assessed] or pool
            e.course = rng.choice(pool)
        verb_iri = template.get("verb")
        verb_name = next((k for k, (iri, _) in VERBS.items() if iri == verb_iri), None)
        if verb_iri is None:
            verb = self._verb("progressed")
        elif verb_name:
            verb = self._verb(verb_name)
        else:
            label = self.profile.concepts.get(verb_iri, {}).get("prefLabel", {})
            display = {"en-US": label.get("en", verb_iri.rsplit("/", 1)[-1])}
            if "zh-CN" in label or "zh" in label:
                display["zh-CN"] = label.get("zh-CN", label.get("zh"))
            verb = {"id": verb_iri, "display": display}
        if "objectStatementRefTemplate" in template and e.emitted:
            obj: dict[str, Any] = {"objectType": "StatementRef", "id": e.emitted[-1]}
        elif "objectActivityType" in template:
            obj = {"objectType": "Activity",
                   **self._activity_for_type(e, template["objectActivityType"])}
        else:
            obj = self._course_activity(e.course)
        if (verb_name or "") in ("progressed", "completed") or "progress" in (verb_iri or ""):
            e.learned = min(e.course.minutes, e.learned + rng.randint(3, max(4, e.course.minutes)))
        statement: dict[str, Any] = {
            "id": self._uuid(),
            "actor": self._actor(e),
            "verb": verb,
            "object": obj,
        }
        activities: dict[str, list[dict[str, Any]]] = {"category": [self._category()]}
        for key, kind in (
            ("contextGroupingActivityType", "grouping"),
            ("contextParentActivityType", "parent"),
            ("contextCategoryActivityType", "category"),
            ("contextOtherActivityType", "other"),
        ):
            for activity_type in template.get(key, []):
                found = self._activity_for_type(e, activity_type)
                items = activities.setdefault(kind, [])
                if all(a["id"] != found["id"] for a in items):
                    items.append(found)
        context: dict[str, Any] = {
            "registration": e.registration,
            "platform": e.account[0].name,
            "language": "zh-CN",
            "contextActivities": activities,
        }
        statement["context"] = context
        statement["timestamp"] = stamp(e.clock)
        for rule in self._rules(template_id):
            self._apply_rule(statement, rule, e, template_id)
        if not context.get("extensions"):
            context.pop("extensions", None)
        return statement

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def _rules(self, template_id: str) -> list[dict[str, Any]]:
        """The template's rules with their locations parsed (``_path``)."""
        assert self.profile is not None
        rules = []
        for rule in self.profile.templates[template_id].get("rules", []):
            path = parse_location(rule.get("location", ""))
            if path is not None and rule.get("selector"):
                selected = parse_location(rule["selector"])
                path = None if selected is None else path + selected
            rules.append({**rule, "_path": path})
        return rules

    def _apply_rule(self, statement: dict[str, Any], rule: dict[str, Any], e: Enrolment,
                    template_id: str) -> None:
        presence = rule.get("presence")
        path = rule["_path"]
        if path is None or not path:
            if presence == "included":
                self.unsatisfied_rules[f"{template_id} {rule.get('location')}"] += 1
            return
        if presence == "excluded":
            _delete(statement, path)
            return
        current = _get(statement, path)
        if current is None and presence != "included":
            return  # nothing there to constrain
        wanted = rule.get("any") or rule.get("all")
        if wanted:
            if current is None or current not in wanted:
                _set(statement, path, wanted[0])
            return
        if current is not None:
            if "none" in rule and current in rule["none"]:
                self.unsatisfied_rules[f"{template_id} {rule.get('location')} none"] += 1
            return
        if presence != "included":
            return
        value = self._value_for(path, e)
        if value is None:
            self.unsatisfied_rules[f"{template_id} {rule.get('location')}"] += 1
            return
        _set(statement, path, value)

    def _value_for(self, path: list[str | int], e: Enrolment) -> Any:
        assert self.profile is not None
        if len(path) >= 2 and path[-2] == "extensions" and isinstance(path[-1], str):
            iri = path[-1]
            schema = self.profile.schema_of(iri)
            role = role_of(iri)
            value = self._role_value(role, e) if role else None
            if value is not None and (schema is None or _fits(value, schema)):
                return value
            return value_from_schema(schema) if schema else (value if value is not None else "x")
        dotted = ".".join(str(p) for p in path)
        known = {
            "result.completion": True,
            "result.success": True,
            "result.duration": f"PT{max(1, e.learned)}M",
            "result.score.scaled": round(self.rng.uniform(0.6, 1.0), 2),
            "result.score.raw": round(self.rng.uniform(60, 100)),
            "result.score.min": 0,
            "result.score.max": 100,
            "context.registration": e.registration,
            "context.platform": e.account[0].name,
            "context.language": "zh-CN",
            "context.instructor": {"objectType": "Agent", "name": "教务人员",
                                   "mbox": f"mailto:staff@{e.account[0].code}.example.cn"},
            "object.definition.name": {"zh-CN": e.course.title},
            "object.definition.description": {"zh-CN": e.course.title},
            "verb.display": {"zh-CN": "学习"},
            "actor.name": e.trainee.name,
        }
        return known.get(dotted)


# ---------------------------------------------------------------------------- helpers


def _activity(iri: str, activity_type: str, title: str) -> dict[str, Any]:
    return {"id": iri, "definition": {"type": activity_type, "name": {"zh-CN": title}}}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def actor_ifi(actor: dict[str, Any]) -> dict[str, Any]:
    """The agent as the ``agent`` query parameter wants it: objectType and IFI only."""
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in actor:
            return {"objectType": actor.get("objectType", "Agent"), key: actor[key]}
    return actor


def _get(node: Any, path: list[str | int]) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or len(node) <= part:
                return None
        elif not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _set(node: Any, path: list[str | int], value: Any) -> None:
    for index, part in enumerate(path[:-1]):
        nxt = path[index + 1]
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append(empty)
            node = node[part]
        else:
            if not isinstance(node.get(part), list | dict):
                node[part] = empty
            node = node[part]
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def _delete(node: Any, path: list[str | int]) -> None:
    parent = _get(node, path[:-1]) if len(path) > 1 else node
    if isinstance(parent, dict) and path[-1] in parent:
        del parent[path[-1]]


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        return False
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
    }
    if kind is None:
        return True
    kinds = kind if isinstance(kind, list) else [kind]
    if not any(checks.get(k, lambda v: True)(value) for k in kinds):
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return False
        if "maximum" in schema and value > schema["maximum"]:
            return False
    return True


def value_from_schema(schema: dict[str, Any]) -> Any:
    """The simplest value a JSON Schema accepts (enough for the schemas profiles inline)."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type", "string")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        props = schema.get("properties", {})
        return {name: value_from_schema(props.get(name, {})) for name in schema.get("required", [])}
    if kind == "array":
        items = schema.get("items", {})
        return [value_from_schema(items)] * int(schema.get("minItems", 0))
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    return "x" * int(schema.get("minLength", 1))


def describe(gen: CadreTrainingGenerator) -> dict[str, Any]:
    """What a generator run looked like (for results files)."""
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": gen.seed,
        "profile": gen.profile.path if gen.profile else None,
        "profile_version": gen.version_iri,
        "trainees": len(gen.trainees),
        "courses": len(gen.courses),
        "classes": len(gen.classes),
        "units": len(gen.units),
        "platforms": [p.home for p in gen.platforms],
        "statements": gen.count,
        "distinct_agents": len(gen.agent_counts),
        "distinct_objects": len(gen.course_counts),
        "verbs": dict(gen.verb_counts.most_common()),
        "unsatisfied_rules": dict(gen.unsatisfied_rules.most_common(20)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trainees", type=int, default=5000)
    parser.add_argument("--courses", type=int, default=800)
    parser.add_argument("--classes", type=int, default=40)
    parser.add_argument("--units", type=int, default=None)
    parser.add_argument("--platforms", type=int, default=4)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--profile", default=None,
                        help=f"profile JSON-LD (default {DEFAULT_PROFILE.relative_to(REPO)} "
                        "when it exists)")
    parser.add_argument("--no-profile", action="store_true", help="use the built-in vocabulary")
    parser.add_argument("--out", default="-", help="file for JSON lines ('-' for stdout)")
    parser.add_argument("--summary", action="store_true", help="print a summary to stderr")
    args = parser.parse_args(argv)
    profile: Any = False if args.no_profile else (args.profile or True)
    gen = CadreTrainingGenerator(
        seed=args.seed, trainees=args.trainees, courses=args.courses, classes=args.classes,
        units=args.units, platforms=args.platforms, year=args.year, profile=profile,
    )
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")  # noqa: SIM115
    try:
        for statement in gen.statements(args.count):
            out.write(json.dumps(statement, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        sys.stderr.close()
        return 0
    finally:
        if out is not sys.stdout:
            out.close()
    if args.summary:
        print(json.dumps(describe(gen), ensure_ascii=False, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
