"""Realistic example statements for the cadre-training profile (fictional people and codes).

Institution: 中共福建省委党校（福建行政学院）, running the platform 福建干部网络学院.
Trainees: civil servants of Fuzhou (福州市) units.  Activity IRIs are under example.gov.cn and
account home pages under fsa.example.gov.cn; in production they are the platform's own.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass

from profile_data import (
    ADL_AT_PROFILE,
    ADL_COMPLETED,
    ADL_EXPERIENCED,
    ADL_FAILED,
    ADL_INITIALIZED,
    ADL_LAUNCHED,
    ADL_PASSED,
    ADL_PROGRESSED,
    ADL_REGISTERED,
    ADL_TERMINATED,
    ADL_WAIVED,
    CMI5_PROGRESS,
    E_AGREED_ID,
    E_ASSESSMENT_REQUIRED,
    E_CLASS_CREDIT,
    E_CLASS_KIND,
    E_COURSE_CODE,
    E_COURSE_CREDIT,
    E_COURSE_DURATION,
    E_CREDIT_EARNED,
    E_EXEMPTION_SOURCE,
    E_INSTITUTION,
    E_LEARNING_DURATION,
    E_POSITION,
    E_RANK,
    E_REQUIREMENT,
    E_UNIT,
    E_YEAR,
    T_CERTIFICATE,
    T_CLASS,
    T_CLASS_ASSESSMENT,
    T_COURSE,
    T_COURSE_ASSESSMENT,
    T_PROGRAMME,
    T_RESOURCE,
    V_APPROVED,
    V_CERTIFIED,
    V_REJECTED,
    VERSION_ID,
)

HOME_PAGE = "https://fsa.example.gov.cn"
PLATFORM = "福建干部网络学院"
INSTITUTION_CODE = "12350000MB0A12345Y"  # 中共福建省委党校（福建行政学院）, fictional code
UUID_NS = uuid.UUID("6f1d3c2e-4b5a-5c6d-8e7f-0a1b2c3d4e5f")

VERB_DISPLAY = {
    ADL_REGISTERED: ("报名", "registered"),
    ADL_LAUNCHED: ("启动", "launched"),
    ADL_INITIALIZED: ("初始化", "initialized"),
    ADL_PROGRESSED: ("学习进度", "progressed"),
    ADL_COMPLETED: ("完成", "completed"),
    ADL_PASSED: ("通过", "passed"),
    ADL_FAILED: ("未通过", "failed"),
    ADL_TERMINATED: ("结束", "terminated"),
    ADL_EXPERIENCED: ("浏览", "experienced"),
    ADL_WAIVED: ("免修", "waived"),
    V_APPROVED: ("报名审核通过", "enrolment approved"),
    V_REJECTED: ("报名审核未通过", "enrolment rejected"),
    V_CERTIFIED: ("获颁结业证书", "was issued certificate"),
}


@dataclass(frozen=True)
class Trainee:
    name: str
    account: str
    agreed_id: str
    unit_code: str
    unit_name: str
    position: str
    rank: str


ZHANGSAN = Trainee(
    "张三",
    "fz-fgw-0007",
    "FJ-350100-2019-004217",
    "11350100MB0B23456K",
    "福州市发展和改革委员会",
    "科长",
    "一级主任科员",
)
LISI = Trainee(
    "李四",
    "fz-gl-0112",
    "FJ-350102-2020-000583",
    "11350102MB0C34567P",
    "福州市鼓楼区人民政府办公室",
    "副主任",
    "二级主任科员",
)
WANGWU = Trainee(
    "王五",
    "fz-cz-0031",
    "FJ-350100-2016-001129",
    "11350100MB0D45678Q",
    "福州市财政局",
    "处长",
    "二级调研员",
)


@dataclass(frozen=True)
class Course:
    iri: str
    code: str
    zh: str
    en: str
    minutes: float
    credit_hours: float
    assessed: bool


C_DIGITAL = Course(
    "http://example.gov.cn/fsa/courses/FJDX-2024-0117",
    "FJDX-2024-0117",
    "数字政府建设与政务服务改革",
    "Digital government and public-service reform",
    45,
    1,
    True,
)
C_SECRETS = Course(
    "http://example.gov.cn/fsa/courses/FJDX-2024-0203",
    "FJDX-2024-0203",
    "《中华人民共和国保守国家秘密法》解读",
    "Interpreting the Law on Guarding State Secrets",
    28,
    0.5,
    False,
)
C_MARINE = Course(
    "http://example.gov.cn/fsa/courses/FJDX-2023-0458",
    "FJDX-2023-0458",
    "海洋经济高质量发展的福建实践",
    "Fujian's practice in high-quality development of the marine economy",
    15,
    0.25,
    False,
)

PROGRAMME_2024 = {
    "objectType": "Activity",
    "id": "http://example.gov.cn/fsa/elective/2024",
    "definition": {
        "type": T_PROGRAMME,
        "name": {
            "zh-CN": "2024年度福建省干部网络培训在线选学",
            "en": "Fujian cadre online elective learning 2024",
        },
    },
}


@dataclass(frozen=True)
class ThemeClass:
    iri: str
    zh: str
    en: str
    kind: str
    credit_hours: float


K_DIGITAL = ThemeClass(
    "http://example.gov.cn/fsa/classes/2024-FZ-SZZF-01",
    "福州市处级干部数字政府建设网络专题班（2024年第1期）",
    "Fuzhou division-level cadres' online class on digital government (2024, no. 1)",
    "assigned",
    12,
)
K_OPEN = ThemeClass(
    "http://example.gov.cn/fsa/classes/2024-FJ-BMDJT-03",
    "“八闽大讲堂”开放式网络专题班（2024年第3期）",
    "Bamin Lecture Hall open online class (2024, no. 3)",
    "open",
    6,
)

RESOURCE_LAW = {
    "objectType": "Activity",
    "id": "http://example.gov.cn/fsa/resources/laws/baomifa-2024",
    "definition": {
        "type": T_RESOURCE,
        "name": {
            "zh-CN": "《中华人民共和国保守国家秘密法》（2024年修订）全文",
            "en": "Law of the PRC on Guarding State Secrets (2024 revision), full text",
        },
    },
}

CATEGORY = {"objectType": "Activity", "id": VERSION_ID, "definition": {"type": ADL_AT_PROFILE}}


def course_activity(c: Course) -> dict:
    return {
        "objectType": "Activity",
        "id": c.iri,
        "definition": {
            "type": T_COURSE,
            "name": {"zh-CN": c.zh, "en": c.en},
            "extensions": {
                E_COURSE_CODE: c.code,
                E_COURSE_DURATION: c.minutes,
                E_COURSE_CREDIT: c.credit_hours,
                E_ASSESSMENT_REQUIRED: c.assessed,
            },
        },
    }


def course_assessment(c: Course) -> dict:
    return {
        "objectType": "Activity",
        "id": c.iri + "/assessment",
        "definition": {
            "type": T_COURSE_ASSESSMENT,
            "name": {"zh-CN": "课程考核：" + c.zh, "en": "Course assessment: " + c.en},
        },
    }


def class_activity(k: ThemeClass) -> dict:
    return {
        "objectType": "Activity",
        "id": k.iri,
        "definition": {
            "type": T_CLASS,
            "name": {"zh-CN": k.zh, "en": k.en},
            "extensions": {E_CLASS_KIND: k.kind, E_CLASS_CREDIT: k.credit_hours},
        },
    }


def class_assessment(k: ThemeClass) -> dict:
    return {
        "objectType": "Activity",
        "id": k.iri + "/assessment",
        "definition": {
            "type": T_CLASS_ASSESSMENT,
            "name": {"zh-CN": "结业考核：" + k.zh, "en": "Class assessment: " + k.en},
        },
    }


def certificate(k: ThemeClass, number: str) -> dict:
    return {
        "objectType": "Activity",
        "id": "http://example.gov.cn/fsa/certificates/" + number,
        "definition": {
            "type": T_CERTIFICATE,
            "name": {
                "zh-CN": f"{k.zh}结业证书（编号 {number}）",
                "en": f"Completion certificate no. {number}: {k.en}",
            },
        },
    }


def minutes_to_iso(minutes: float) -> str:
    seconds = round(minutes * 60)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    out = "PT"
    if h:
        out += f"{h}H"
    if m:
        out += f"{m}M"
    if s or out == "PT":
        out += f"{s}S"
    return out


class Builder:
    """Builds statements; every statement gets a deterministic id from ``key``."""

    def __init__(self, key: str):
        self.key = key
        self.count = 0

    def _id(self) -> str:
        self.count += 1
        return str(uuid.uuid5(UUID_NS, f"{self.key}#{self.count}"))

    @staticmethod
    def registration(name: str) -> str:
        return str(uuid.uuid5(UUID_NS, "registration:" + name))

    def statement(
        self,
        who: Trainee,
        verb: str,
        obj: dict,
        ts: str,
        reg: str,
        *,
        parent: list | None = None,
        grouping: list | None = None,
        result: dict | None = None,
        year: int | None = 2024,
        requirement: str | None = None,
    ) -> dict:
        zh, en = VERB_DISPLAY[verb]
        context_ext = {
            E_AGREED_ID: who.agreed_id,
            E_INSTITUTION: INSTITUTION_CODE,
            E_UNIT: who.unit_code,
            E_POSITION: who.position,
            E_RANK: who.rank,
        }
        if requirement is not None:
            context_ext[E_REQUIREMENT] = requirement
        if year is not None:
            context_ext[E_YEAR] = year
        activities: dict = {}
        if parent:
            activities["parent"] = copy.deepcopy(parent)
        if grouping:
            activities["grouping"] = copy.deepcopy(grouping)
        activities["category"] = [copy.deepcopy(CATEGORY)]
        s = {
            "id": self._id(),
            "timestamp": ts,
            "actor": {
                "objectType": "Agent",
                "name": who.name,
                "account": {"homePage": HOME_PAGE, "name": who.account},
            },
            "verb": {"id": verb, "display": {"zh-CN": zh, "en": en}},
            "object": copy.deepcopy(obj),
        }
        if result is not None:
            s["result"] = result
        s["context"] = {
            "registration": reg,
            "platform": PLATFORM,
            "language": "zh-CN",
            "contextActivities": activities,
            "extensions": context_ext,
        }
        return s


def course_parent_for(family: str, k: ThemeClass | None) -> list:
    return [PROGRAMME_2024] if family == "elective" else [class_activity(k or K_DIGITAL)]


class Scenario:
    """Makes the statement of any template for one trainee, one course and one registration."""

    def __init__(
        self,
        b: Builder,
        who: Trainee,
        reg: str,
        *,
        course: Course = C_DIGITAL,
        klass: ThemeClass = K_DIGITAL,
        requirement: str = "required",
    ):
        self.b, self.who, self.reg = b, who, reg
        self.course, self.klass, self.requirement = course, klass, requirement

    # -- helpers ---------------------------------------------------------------------------
    def _course_stmt(self, family, verb, ts, result=None, requirement=True, year=2024, obj=None):
        parent = course_parent_for(family, self.klass)
        return self.b.statement(
            self.who,
            verb,
            obj or course_activity(self.course),
            ts,
            self.reg,
            parent=parent,
            result=result,
            year=year,
            requirement=self.requirement if requirement else None,
        )

    def _assessment_stmt(self, family, passed, ts, score, credit):
        grouping = course_parent_for(family, self.klass)
        result = {
            "score": {"scaled": score, "raw": round(score * 100), "min": 0, "max": 100},
            "success": passed,
            "completion": True,
            "duration": "PT18M30S",
        }
        if credit is not None:
            result["extensions"] = {E_CREDIT_EARNED: credit}
        return self.b.statement(
            self.who,
            ADL_PASSED if passed else ADL_FAILED,
            course_assessment(self.course),
            ts,
            self.reg,
            parent=[course_activity(self.course)],
            grouping=grouping,
            result=result,
            requirement=self.requirement,
        )

    # -- one method per template -----------------------------------------------------------
    def make(self, slug: str, ts: str, **kw) -> dict:
        return getattr(self, slug.replace("-", "_"))(ts, **kw)

    def course_registered(self, ts):
        return self._course_stmt("elective", ADL_REGISTERED, ts)

    def course_launched(self, ts, family="elective"):
        return self._course_stmt(family, ADL_LAUNCHED, ts)

    def course_initialized(self, ts, family="elective"):
        return self._course_stmt(family, ADL_INITIALIZED, ts)

    def course_progressed(self, ts, minutes=20.0, progress=45, family="elective"):
        return self._course_stmt(
            family,
            ADL_PROGRESSED,
            ts,
            result={"extensions": {E_LEARNING_DURATION: minutes, CMI5_PROGRESS: progress}},
        )

    def course_completed(self, ts, minutes=47.5, family="elective"):
        result = {
            "completion": True,
            "duration": minutes_to_iso(minutes),
            "extensions": {E_LEARNING_DURATION: minutes},
        }
        if family == "elective":
            result["extensions"][E_CREDIT_EARNED] = (
                0 if self.course.assessed else self.course.credit_hours
            )
        return self._course_stmt(family, ADL_COMPLETED, ts, result=result)

    def course_terminated(self, ts, minutes=25.0, session="PT25M", family="elective"):
        return self._course_stmt(
            family,
            ADL_TERMINATED,
            ts,
            result={"duration": session, "extensions": {E_LEARNING_DURATION: minutes}},
        )

    def course_exempted(self, ts, family="elective", source=None):
        if source is None:
            source = self.klass.iri if family == "elective" else PROGRAMME_2024["id"]
        return self._course_stmt(
            family,
            ADL_WAIVED,
            ts,
            result={"completion": True, "extensions": {E_EXEMPTION_SOURCE: source}},
        )

    def course_assessment_passed(self, ts, score=0.86, family="elective"):
        credit = self.course.credit_hours if family == "elective" else None
        return self._assessment_stmt(family, True, ts, score, credit)

    def course_assessment_failed(self, ts, score=0.52, family="elective"):
        return self._assessment_stmt(family, False, ts, score, None)

    def class_course_launched(self, ts):
        return self.course_launched(ts, family="class")

    def class_course_initialized(self, ts):
        return self.course_initialized(ts, family="class")

    def class_course_progressed(self, ts, minutes=20.0, progress=45):
        return self.course_progressed(ts, minutes, progress, family="class")

    def class_course_completed(self, ts, minutes=47.5):
        return self.course_completed(ts, minutes, family="class")

    def class_course_terminated(self, ts, minutes=25.0, session="PT25M"):
        return self.course_terminated(ts, minutes, session, family="class")

    def class_course_exempted(self, ts):
        return self.course_exempted(ts, family="class")

    def class_course_assessment_passed(self, ts, score=0.9):
        return self.course_assessment_passed(ts, score, family="class")

    def class_course_assessment_failed(self, ts, score=0.55):
        return self.course_assessment_failed(ts, score, family="class")

    def class_registered(self, ts):
        return self.b.statement(self.who, ADL_REGISTERED, class_activity(self.klass), ts, self.reg)

    def class_enrolment_approved(self, ts):
        return self.b.statement(self.who, V_APPROVED, class_activity(self.klass), ts, self.reg)

    def class_enrolment_rejected(self, ts, reason="报名人数已满，请报名下一期。"):
        return self.b.statement(
            self.who,
            V_REJECTED,
            class_activity(self.klass),
            ts,
            self.reg,
            result={"response": reason},
        )

    def class_assessment_passed(self, ts, score=0.88, credit=None, minutes=642.0):
        if credit is None:
            credit = self.klass.credit_hours
        return self.b.statement(
            self.who,
            ADL_PASSED,
            class_assessment(self.klass),
            ts,
            self.reg,
            parent=[class_activity(self.klass)],
            result={
                "score": {"scaled": score, "raw": round(score * 100), "min": 0, "max": 100},
                "success": True,
                "completion": True,
                "duration": "PT40M",
                "extensions": {E_LEARNING_DURATION: minutes, E_CREDIT_EARNED: credit},
            },
        )

    def class_assessment_failed(self, ts, score=0.54):
        return self.b.statement(
            self.who,
            ADL_FAILED,
            class_assessment(self.klass),
            ts,
            self.reg,
            parent=[class_activity(self.klass)],
            result={
                "score": {"scaled": score, "raw": round(score * 100), "min": 0, "max": 100},
                "success": False,
                "completion": True,
                "duration": "PT38M",
            },
        )

    def class_certificate_issued(self, ts, number="JY-2024-000321"):
        return self.b.statement(
            self.who,
            V_CERTIFIED,
            certificate(self.klass, number),
            ts,
            self.reg,
            parent=[class_activity(self.klass)],
        )

    def resource_experienced(self, ts, parent=None, minutes=12.0):
        return self.b.statement(
            self.who,
            ADL_EXPERIENCED,
            RESOURCE_LAW,
            ts,
            self.reg,
            parent=parent,
            result={
                "duration": minutes_to_iso(minutes),
                "extensions": {E_LEARNING_DURATION: minutes},
            },
        )
