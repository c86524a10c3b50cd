"""The cadre-training xAPI Profile (GB/T 38856—2020) as Python data.

This module is the single source of truth for ``../v1.0.jsonld``; ``build.py`` writes the
JSON-LD document, the example statements and the generated parts of ``../README.md`` from it.
Edit here, then run ``python3 profiles/cadre-training/tools/build.py``.

Clause numbers (§) refer to GB/T 38856—2020 unless another document is named.
"""

# ruff: noqa: E501  (bilingual definitions: long zh-CN strings are kept whole)
from __future__ import annotations

import json

PROFILE_ID = "https://w3id.org/xapi/cadre-training"
VERSION_ID = "https://w3id.org/xapi/cadre-training/v1.0"
GENERATED_AT = "2024-06-01T00:00:00+08:00"
SEE_ALSO = "https://w3id.org/xapi/cadre-training/docs"

AT = PROFILE_ID + "/activity-types/"
VB = PROFILE_ID + "/verbs/"
EX = PROFILE_ID + "/extensions/"
TP = PROFILE_ID + "/templates/"
PT = PROFILE_ID + "/patterns/"

# ---------------------------------------------------------------------------------------------
# External concepts: used by IRI, never redefined here (Profiles 1.0 Part Two §7.0: a Profile
# MUST NOT define a Concept defined in another Profile).  Listed in README.md.
# ---------------------------------------------------------------------------------------------
ADL_REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
ADL_LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
ADL_INITIALIZED = "http://adlnet.gov/expapi/verbs/initialized"
ADL_PROGRESSED = "http://adlnet.gov/expapi/verbs/progressed"
ADL_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ADL_PASSED = "http://adlnet.gov/expapi/verbs/passed"
ADL_FAILED = "http://adlnet.gov/expapi/verbs/failed"
ADL_TERMINATED = "http://adlnet.gov/expapi/verbs/terminated"
ADL_EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
ADL_WAIVED = "https://w3id.org/xapi/adl/verbs/waived"
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
ADL_AT_COURSE = "http://adlnet.gov/expapi/activities/course"
ADL_AT_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
ADL_AT_PROFILE = "http://adlnet.gov/expapi/activities/profile"
AS_APPROVE = "http://activitystrea.ms/approve"
AS_REJECT = "http://activitystrea.ms/reject"
AS_RECEIVE = "http://activitystrea.ms/receive"

EXTERNAL_CONCEPTS = [
    # (IRI, kind, where it is defined, how this profile uses it)
    (
        ADL_REGISTERED,
        "Verb",
        "ADL Vocabulary https://w3id.org/xapi/adl (v1.0)",
        "报名 / 选课: enrolling in a theme class, choosing an elective course",
    ),
    (
        ADL_LAUNCHED,
        "Verb",
        "ADL Vocabulary https://w3id.org/xapi/adl (v1.0)",
        "the platform starts a learning session of a course",
    ),
    (
        ADL_INITIALIZED,
        "Verb",
        "xAPI 1.0.3 ADL verbs; SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "the course player has loaded the course for the session",
    ),
    (
        ADL_PROGRESSED,
        "Verb",
        "ADL Vocabulary https://w3id.org/xapi/adl (v1.0)",
        "periodic progress of a course, with learning duration so far",
    ),
    (
        ADL_COMPLETED,
        "Verb",
        "xAPI 1.0.3 ADL verbs; SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "the trainee finished studying a course (学完)",
    ),
    (
        ADL_PASSED,
        "Verb",
        "xAPI 1.0.3 ADL verbs; SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "passed a course assessment or a theme-class assessment (考核通过)",
    ),
    (
        ADL_FAILED,
        "Verb",
        "xAPI 1.0.3 ADL verbs; SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "failed a course assessment or a theme-class assessment (考核未通过)",
    ),
    (
        ADL_TERMINATED,
        "Verb",
        "xAPI 1.0.3 ADL verbs; SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "end of a learning session of a course",
    ),
    (
        ADL_EXPERIENCED,
        "Verb",
        "ADL Vocabulary https://w3id.org/xapi/adl (v1.0)",
        "used an auxiliary learning resource (no credit-hours)",
    ),
    (
        ADL_WAIVED,
        "Verb",
        "cmi5 profile https://w3id.org/xapi/cmi5 (v1.0)",
        "免修: the course is exempt because its credit-hours were already earned (§8.2.5, §8.3.6)",
    ),
    (
        CMI5_PROGRESS,
        "ResultExtension",
        "cmi5 profile https://w3id.org/xapi/cmi5 (v1.0)",
        "progress of a course as an integer percentage on `progressed` (recommended)",
    ),
    (
        ADL_AT_COURSE,
        "ActivityType",
        "SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "broadMatch of 课程",
    ),
    (
        ADL_AT_ASSESSMENT,
        "ActivityType",
        "SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "broadMatch of 课程考核 and 专题班考核",
    ),
    (
        ADL_AT_PROFILE,
        "ActivityType",
        "SCORM profile https://w3id.org/xapi/scorm (v1.0)",
        "type of the category Activity naming this profile version in statements",
    ),
    (
        AS_APPROVE,
        "Verb",
        "Activity Streams profile http://activitystrea.ms/schema/",
        "relatedMatch of enrolment-approved",
    ),
    (
        AS_REJECT,
        "Verb",
        "Activity Streams profile http://activitystrea.ms/schema/",
        "relatedMatch of enrolment-rejected",
    ),
    (
        AS_RECEIVE,
        "Verb",
        "Activity Streams profile http://activitystrea.ms/schema/",
        "broadMatch of certificate-issued",
    ),
]

# ---------------------------------------------------------------------------------------------
# Concepts defined by this profile
# ---------------------------------------------------------------------------------------------
T_COURSE = AT + "course"
T_CLASS = AT + "theme-class"
T_COURSE_ASSESSMENT = AT + "course-assessment"
T_CLASS_ASSESSMENT = AT + "class-assessment"
T_RESOURCE = AT + "auxiliary-resource"
T_CERTIFICATE = AT + "completion-certificate"
T_PROGRAMME = AT + "elective-programme"

V_APPROVED = VB + "enrolment-approved"
V_REJECTED = VB + "enrolment-rejected"
V_CERTIFIED = VB + "certificate-issued"

E_AGREED_ID = EX + "agreed-identifier"
E_UNIT = EX + "unit-code"
E_POSITION = EX + "position"
E_RANK = EX + "rank"
E_INSTITUTION = EX + "institution-code"
E_REQUIREMENT = EX + "course-requirement"
E_YEAR = EX + "record-year"
E_COURSE_CODE = EX + "course-code"
E_COURSE_DURATION = EX + "course-duration"
E_COURSE_CREDIT = EX + "course-credit-hours"
E_ASSESSMENT_REQUIRED = EX + "assessment-required"
E_CLASS_KIND = EX + "class-kind"
E_CLASS_CREDIT = EX + "class-credit-hours"
E_BONUS = EX + "bonus-credits"
E_LEARNING_DURATION = EX + "learning-duration"
E_CREDIT_EARNED = EX + "credit-hours-earned"
E_EXEMPTION_SOURCE = EX + "exemption-source"


def lang(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def schema(obj: dict) -> str:
    """An inlineSchema: a JSON Schema (draft-07) serialised as a string, as the spec requires."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


ACTIVITY_TYPES = [
    {
        "id": T_COURSE,
        "prefLabel": lang("课程", "course"),
        "definition": lang(
            "GB/T 38856—2020 第3.5条：包含学习目标、相关知识点内容以及教与学活动等要素的完整教学单元。"
            "在线选学（§8.2）和专题班（§8.3）中的课程均用此类型。活动定义应带课程编码、课程时长、"
            "课程学时和是否需要考核等活动扩展。",
            "GB/T 38856—2020 §3.5: a complete teaching unit with learning objectives, knowledge "
            "content and teaching and learning activities. Used for courses taken in online "
            "elective learning (§8.2) and inside theme classes (§8.3). Its Activity definition "
            "carries the course-code, course-duration, course-credit-hours and "
            "assessment-required extensions.",
        ),
        "broadMatch": [ADL_AT_COURSE],
    },
    {
        "id": T_CLASS,
        "prefLabel": lang("专题班", "theme-based training class"),
        "definition": lang(
            "GB/T 38856—2020 第3.10条、第8.3条：由主办单位主办、承办单位和（或）协办单位实施的一组课程及相应"
            "学习活动，有明确的教学计划。用 class-kind 活动扩展区分调训专题班（assigned）和开放式专题班（open），"
            "用 class-credit-hours 给出专题班学时。作为专题班内课程、专题班考核和结业证书语句的 parent 上下文活动。",
            "GB/T 38856—2020 §3.10, §8.3: a set of courses and learning activities with a teaching "
            "plan, hosted by a host unit and run by organiser and/or co-organiser units. The "
            "class-kind activity extension tells assigned classes (调训, trainees named by the "
            "management department) from open classes (开放式, anyone may enrol); "
            "class-credit-hours gives the class's credit-hours. It is the parent context Activity "
            "of statements about the class's courses, its assessment and its certificate.",
        ),
    },
    {
        "id": T_COURSE_ASSESSMENT,
        "prefLabel": lang("课程考核", "course assessment"),
        "definition": lang(
            "GB/T 38856—2020 第8.2.5条：对一门需要考核的课程的考核（主观或客观，线上或线下）。作为 passed/failed "
            "语句的客体，该课程作为 parent 上下文活动。",
            "GB/T 38856—2020 §8.2.5: the assessment (subjective or objective, online or offline) of "
            "one course that needs assessment. Object of passed/failed statements; the course is "
            "the parent context Activity.",
        ),
        "broadMatch": [ADL_AT_ASSESSMENT],
    },
    {
        "id": T_CLASS_ASSESSMENT,
        "prefLabel": lang("专题班考核", "theme-class assessment"),
        "definition": lang(
            "GB/T 38856—2020 第8.3.6条：按教学计划对专题班学员的考核。学员通过考核后获得专题班对应的学时。"
            "作为 passed/failed 语句的客体，专题班作为 parent 上下文活动。",
            "GB/T 38856—2020 §8.3.6: the assessment of a theme class's trainees under its teaching "
            "plan; a trainee who passes earns the class's credit-hours. Object of passed/failed "
            "statements; the theme class is the parent context Activity.",
        ),
        "broadMatch": [ADL_AT_ASSESSMENT],
    },
    {
        "id": T_RESOURCE,
        "prefLabel": lang("辅助学习资源", "auxiliary learning resource"),
        "definition": lang(
            "GB/T 38856—2020 第3.4条、第7.2条：法律法规、论著、权威时政、新闻等与干部教育培训相关的数字资源。"
            "不产生课程学时。",
            "GB/T 38856—2020 §3.4, §7.2: laws and regulations, books, authoritative current "
            "affairs, news and other digital resources related to cadre training. Using one earns "
            "no credit-hours.",
        ),
    },
    {
        "id": T_CERTIFICATE,
        "prefLabel": lang("专题班结业证书", "theme-class completion certificate"),
        "definition": lang(
            "GB/T 38856—2020 第3.11条、第8.3.6条：学员完成专题班学习任务、达到教学目标后，由主办单位和（或）"
            "承办单位颁发的学习证明。活动 id 应唯一标识一张证书（含证书编号）；所属专题班作为 parent 上下文活动。",
            "GB/T 38856—2020 §3.11, §8.3.6: the proof of learning the host and/or organiser unit "
            "issues to a trainee who finished the class's tasks and reached its goals. The Activity "
            "id identifies one certificate (it contains the certificate number); the theme class is "
            "the parent context Activity.",
        ),
    },
    {
        "id": T_PROGRAMME,
        "prefLabel": lang("年度在线选学", "annual online elective learning programme"),
        "definition": lang(
            "GB/T 38856—2020 第3.12条、第8.2条：管理部门下达、培训机构实施的某一年度在线选学任务（必修课和选修课的"
            "范围、数量和学时要求）。在线选学课程语句以它为 parent 上下文活动，以区别于专题班内的课程学习。",
            "GB/T 38856—2020 §3.12, §8.2: one year's online elective learning task set by the "
            "management department and run by a training institution (its required and elective "
            "courses and credit-hour targets). Statements about a course studied as elective "
            "learning carry it as the parent context Activity, which tells them apart from the "
            "same course studied inside a theme class.",
        ),
    },
]

VERBS = [
    {
        "id": V_APPROVED,
        "prefLabel": lang("报名审核通过", "enrolment approved"),
        "definition": lang(
            "GB/T 38856—2020 第8.3.3条：行为者（学员）报名参加客体专题班，经承办单位和（或）协办单位审核通过，"
            "此后可在平台上开展专题班学习。行为者是学员而非审核人。调训专题班由管理部门指定学员，指定即视为审核通过，"
            "平台在 registered 语句之后发送本语句。",
            "GB/T 38856—2020 §8.3.3: the actor's (the trainee's) enrolment in the object theme class "
            "was reviewed and approved by the organiser and/or co-organiser unit; the trainee may "
            "now study in the class. The actor is the trainee, not the reviewer. For an assigned "
            "(调训) class the management department's nomination is the review, and the platform "
            "sends this statement right after the registered statement.",
        ),
        "relatedMatch": [AS_APPROVE],
    },
    {
        "id": V_REJECTED,
        "prefLabel": lang("报名审核未通过", "enrolment rejected"),
        "definition": lang(
            "GB/T 38856—2020 第8.3.3条：行为者（学员）对客体专题班的报名经审核未通过，不能在该专题班学习。"
            "行为者是学员而非审核人；未通过原因可放在 result.response。",
            "GB/T 38856—2020 §8.3.3: the actor's (the trainee's) enrolment in the object theme class "
            "was reviewed and not approved; the trainee may not study in the class. The actor is the "
            "trainee, not the reviewer; the reason may be given in result.response.",
        ),
        "relatedMatch": [AS_REJECT],
    },
    {
        "id": V_CERTIFIED,
        "prefLabel": lang("获颁结业证书", "was issued certificate"),
        "definition": lang(
            "GB/T 38856—2020 第3.11条、第8.3.6条：行为者（学员）获得主办单位和（或）承办单位颁发的客体结业证书。"
            "只在学员通过专题班考核之后发送。",
            "GB/T 38856—2020 §3.11, §8.3.6: the actor (the trainee) was issued the object completion "
            "certificate by the host and/or organiser unit. Sent only after the trainee passed the "
            "theme-class assessment.",
        ),
        "broadMatch": [AS_RECEIVE],
    },
]

ID_CARD_PATTERN = (
    "^[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$"
)
CODE_PATTERN = "^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$"

# Each extension: id, type, prefLabel, definition, inlineSchema (+ recommendedVerbs /
# recommendedActivityTypes) and, for the README table only, "_unit" and "_example".
EXTENSIONS = [
    {
        "id": E_AGREED_ID,
        "type": "ContextExtension",
        "prefLabel": lang("约定的标识符", "agreed identifier"),
        "definition": lang(
            "GB/T 38856—2020 第6.1.3条：把学员账号信息与基本信息一对一关联的约定标识符，用于数据汇总、互操作和"
            "查询统计；学员调动单位后不变，学习历史随人走。所有模板都要求包含。应为管理部门分配的假名化编号，"
            "不得直接使用居民身份证号码（§9.2.3 脱敏）。",
            "GB/T 38856—2020 §6.1.3: the identifier agreed between the parties that links a "
            "trainee's account information one-to-one with the trainee's basic information; used "
            "for data aggregation, interoperability and statistics. It does not change when the "
            "trainee moves to another unit, so the learning history follows the person. Included in "
            "every statement of this profile. It is a pseudonymous number assigned by the "
            "management department and MUST NOT be a resident identity card number (§9.2.3: "
            "desensitise personal data).",
        ),
        "inlineSchema": schema(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "pattern": "^[0-9A-Za-z][0-9A-Za-z._:-]*$",
                "not": {"pattern": ID_CARD_PATTERN},
            }
        ),
        "_unit": "—",
        "_example": "FJ-350100-2019-004217",
    },
    {
        "id": E_UNIT,
        "type": "ContextExtension",
        "prefLabel": lang("单位代码", "unit code"),
        "definition": lang(
            "GB/T 38856—2020 第6.1.3条：学员在该语句所记录的学习发生时的所属单位代码，宜用统一社会信用代码"
            "（GB 32100—2015）。每条记录保留其取得时的单位，学员调动后不改写历史记录。",
            "GB/T 38856—2020 §6.1.3: the code of the unit the trainee belonged to when the learning "
            "this statement records happened, preferably the unified social credit code "
            "(统一社会信用代码, GB 32100—2015). Each record keeps the unit it was earned under; "
            "history is not rewritten when the trainee moves.",
        ),
        "inlineSchema": schema({"type": "string", "pattern": CODE_PATTERN}),
        "_unit": "—",
        "_example": "11350100MB0B23456K",
    },
    {
        "id": E_POSITION,
        "type": "ContextExtension",
        "prefLabel": lang("职务", "position"),
        "definition": lang(
            "GB/T 38856—2020 第6.1.3条：学员在学习发生时的职务（如“科长”）。",
            "GB/T 38856—2020 §6.1.3: the trainee's position (职务, e.g. section chief) when the "
            "learning happened.",
        ),
        "inlineSchema": schema({"type": "string", "minLength": 1, "maxLength": 100}),
        "_unit": "—",
        "_example": "科长",
    },
    {
        "id": E_RANK,
        "type": "ContextExtension",
        "prefLabel": lang("职级", "rank"),
        "definition": lang(
            "GB/T 38856—2020 第6.1.3条：学员在学习发生时的职级（如“一级主任科员”）。管理部门可按职级确定培训任务（§8.1）。",
            "GB/T 38856—2020 §6.1.3: the trainee's rank (职级, e.g. first-grade principal staff "
            "member) when the learning happened. Management departments may set training tasks by "
            "rank (§8.1).",
        ),
        "inlineSchema": schema({"type": "string", "minLength": 1, "maxLength": 50}),
        "_unit": "—",
        "_example": "一级主任科员",
    },
    {
        "id": E_INSTITUTION,
        "type": "ContextExtension",
        "prefLabel": lang("培训机构代码", "training institution code"),
        "definition": lang(
            "GB/T 38856—2020 第5.3条、第9.1.1条：发送语句、保存原始学习记录的培训机构的代码，宜用统一社会信用代码。"
            "管理部门合并档案时据此区分来源。",
            "GB/T 38856—2020 §5.3, §9.1.1: the code of the training institution that sends the "
            "statement and keeps the raw learning record, preferably its unified social credit "
            "code. The management department uses it to tell sources apart when merging archives.",
        ),
        "inlineSchema": schema({"type": "string", "pattern": CODE_PATTERN}),
        "_unit": "—",
        "_example": "12350000MB0A12345Y",
    },
    {
        "id": E_REQUIREMENT,
        "type": "ContextExtension",
        "prefLabel": lang("必修/选修", "required or elective"),
        "definition": lang(
            "GB/T 38856—2020 第8.2.1条、第8.2.2条：该课程对该学员在本年度是必修课（required）还是选修课（elective）。"
            "必修、选修由培训机构和（或）学员所属单位按组织、岗位和个人需求确定，因人而异，所以放在语句上下文而非课程定义中。"
            "湖南等地按此区分每学时折算的学分。",
            "GB/T 38856—2020 §8.2.1, §8.2.2: whether the course is required (必修) or elective (选修) "
            "for this trainee in this year. The training institution and/or the trainee's unit "
            "decide it from organisational, post and personal needs, so it varies per trainee and "
            "lives in the statement context, not in the course definition. Provincial policies "
            "(e.g. Hunan) convert credit-hours to credits differently for the two.",
        ),
        "inlineSchema": schema({"type": "string", "enum": ["required", "elective"]}),
        "_unit": "—",
        "_example": "required",
    },
    {
        "id": E_YEAR,
        "type": "ContextExtension",
        "prefLabel": lang("档案年度", "year of record"),
        "definition": lang(
            "GB/T 38856—2020 第9.1.2条：该记录计入的学习档案年度。年度一般为自然年，或由管理部门确定（见年度学时政策）。",
            "GB/T 38856—2020 §9.1.2: the archive year this record counts towards. A calendar year "
            "by default, or the period the management department sets (see the annual credit "
            "policy).",
        ),
        "inlineSchema": schema({"type": "integer", "minimum": 2000, "maximum": 2100}),
        "_unit": "year",
        "_example": "2024",
    },
    {
        "id": E_COURSE_CODE,
        "type": "ActivityExtension",
        "prefLabel": lang("课程编码", "course code"),
        "definition": lang(
            "GB/T 38857—2020《干部网络培训课程信息模型》中的课程编码，在培训机构内唯一标识一门课程。",
            "The course code of GB/T 38857—2020 (course information model for cadre online "
            "training); identifies a course within its training institution.",
        ),
        "recommendedActivityTypes": [T_COURSE],
        "inlineSchema": schema({"type": "string", "minLength": 1, "maxLength": 64}),
        "_unit": "—",
        "_example": "FJDX-2024-0117",
    },
    {
        "id": E_COURSE_DURATION,
        "type": "ActivityExtension",
        "prefLabel": lang("课程时长", "course duration"),
        "definition": lang(
            "GB/T 38856—2020 第3.7条：课程的属性之一，预计学员完成课程学习所需投入的时间，以分钟为单位。",
            "GB/T 38856—2020 §3.7: a property of the course: the time a trainee is expected to "
            "spend to finish it, in minutes.",
        ),
        "recommendedActivityTypes": [T_COURSE],
        "inlineSchema": schema({"type": "number", "exclusiveMinimum": 0}),
        "_unit": "min",
        "_example": "45",
    },
    {
        "id": E_COURSE_CREDIT,
        "type": "ActivityExtension",
        "prefLabel": lang("课程学时", "course credit-hours"),
        "definition": lang(
            "GB/T 38856—2020 第3.8条：课程的属性之一，依据课程时长界定：课程时长≤15分钟为0.25学时，"
            ">15且≤30分钟为0.5学时，>30分钟为1学时。必须与 course-duration 一致（校验器交叉检查）。"
            "省级政策另有折算办法的（如湖南45分钟为1学时），由年度学时政策根据课程时长另行计算，不改变本扩展的值。",
            "GB/T 38856—2020 §3.8: a property of the course, set by its duration: ≤ 15 min → "
            "0.25; > 15 and ≤ 30 min → 0.5; > 30 min → 1 credit-hour. MUST agree with "
            "course-duration (validators cross-check). Where a provincial policy counts "
            "differently (Hunan: 45 min = 1 credit-hour) the annual credit policy computes that "
            "from course-duration; this extension keeps the §3.8 value.",
        ),
        "recommendedActivityTypes": [T_COURSE],
        "inlineSchema": schema({"type": "number", "enum": [0.25, 0.5, 1]}),
        "_unit": "credit-hour (学时)",
        "_example": "1",
    },
    {
        "id": E_ASSESSMENT_REQUIRED,
        "type": "ActivityExtension",
        "prefLabel": lang("是否需要考核", "assessment required"),
        "definition": lang(
            "GB/T 38856—2020 第8.2.5条：true 表示该课程需要考核，学员通过考核（course-assessment 的 passed）后获得课程学时；"
            "false 表示无需考核，学员完成课程学习（completed）后自动获得课程学时。",
            "GB/T 38856—2020 §8.2.5: true when the course needs assessment — the trainee earns its "
            "credit-hours on passing its course assessment; false when it does not — the trainee "
            "earns them on completing it.",
        ),
        "recommendedActivityTypes": [T_COURSE],
        "inlineSchema": schema({"type": "boolean"}),
        "_unit": "—",
        "_example": "true",
    },
    {
        "id": E_CLASS_KIND,
        "type": "ActivityExtension",
        "prefLabel": lang("专题班类型", "class kind"),
        "definition": lang(
            "GB/T 38856—2020 第8.3.1条：assigned 为调训专题班（学员由管理部门明确指定），open 为开放式专题班（不限定学员范围）。",
            "GB/T 38856—2020 §8.3.1: assigned — an assigned class (调训专题班) whose trainees the "
            "management department names; open — an open class (开放式专题班) anyone may enrol in.",
        ),
        "recommendedActivityTypes": [T_CLASS],
        "inlineSchema": schema({"type": "string", "enum": ["assigned", "open"]}),
        "_unit": "—",
        "_example": "assigned",
    },
    {
        "id": E_CLASS_CREDIT,
        "type": "ActivityExtension",
        "prefLabel": lang("专题班学时", "class credit-hours"),
        "definition": lang(
            "GB/T 38856—2020 第8.3.2条、第8.3.6条：教学计划规定的专题班学时，学员通过专题班考核后获得。",
            "GB/T 38856—2020 §8.3.2, §8.3.6: the class's credit-hours under its teaching plan, "
            "earned by a trainee who passes the class assessment.",
        ),
        "recommendedActivityTypes": [T_CLASS],
        "inlineSchema": schema({"type": "number", "minimum": 0, "multipleOf": 0.25}),
        "_unit": "credit-hour (学时)",
        "_example": "12",
    },
    {
        "id": E_BONUS,
        "type": "ActivityExtension",
        "prefLabel": lang("奖励学分", "bonus credits"),
        "definition": lang(
            "《湖南省干部教育培训网络学院在线学习管理办法（暂行）》第十二条：在线考试合格可获得的奖励学分。"
            "只有年度学时政策允许考试奖励学分时才计入。",
            "Hunan online learning measures (2010) art. 12: the bonus credits (学分) passing this "
            "online exam may add. Counted only where the annual credit policy allows exam bonuses.",
        ),
        "recommendedActivityTypes": [T_COURSE_ASSESSMENT],
        "inlineSchema": schema({"type": "number", "minimum": 0}),
        "_unit": "credit (学分)",
        "_example": "0.5",
    },
    {
        "id": E_LEARNING_DURATION,
        "type": "ResultExtension",
        "prefLabel": lang("学习时长", "learning duration"),
        "definition": lang(
            "GB/T 38856—2020 第3.9条：学员在本次注册（registration）中对客体活动实际投入的累计学习时间，"
            "截至本语句，以分钟为单位。单次会话的时长另用 result.duration（ISO 8601）表示。",
            "GB/T 38856—2020 §3.9: the time the trainee actually spent on the object Activity, "
            "cumulated over this registration up to this statement, in minutes. The length of one "
            "session goes in result.duration (ISO 8601).",
        ),
        "recommendedVerbs": [
            ADL_PROGRESSED,
            ADL_COMPLETED,
            ADL_TERMINATED,
            ADL_PASSED,
            ADL_EXPERIENCED,
        ],
        "inlineSchema": schema({"type": "number", "minimum": 0}),
        "_unit": "min",
        "_example": "47.5",
    },
    {
        "id": E_CREDIT_EARNED,
        "type": "ResultExtension",
        "prefLabel": lang("获得学时", "credit-hours earned"),
        "definition": lang(
            "GB/T 38856—2020 第8.2.5条、第8.3.6条：本语句使学员获得的学时。只出现在授予学时的语句上："
            "无需考核课程的 completed（等于课程学时）；需要考核课程的 completed（为0）及其课程考核的 passed（等于课程学时）；"
            "专题班考核的 passed（专题班学时减去在班内免修课程的学时）。其他语句一律不得带本扩展，以免重复计算。",
            "GB/T 38856—2020 §8.2.5, §8.3.6: the credit-hours this statement grants the trainee. "
            "Only on crediting statements: completed of a course without assessment (= the course "
            "credit-hours); completed of a course with assessment (= 0) and passed of its course "
            "assessment (= the course credit-hours); passed of a theme-class assessment (= the class "
            "credit-hours less those of courses exempted inside the class). Every other statement "
            "MUST NOT carry it, so nothing is counted twice.",
        ),
        "recommendedVerbs": [ADL_COMPLETED, ADL_PASSED],
        "inlineSchema": schema({"type": "number", "minimum": 0, "multipleOf": 0.25}),
        "_unit": "credit-hour (学时)",
        "_example": "1",
    },
    {
        "id": E_EXEMPTION_SOURCE,
        "type": "ResultExtension",
        "prefLabel": lang("免修依据", "exemption source"),
        "definition": lang(
            "GB/T 38856—2020 第8.2.5条、第8.3.6条：免修（waived）语句中，该课程学时已在其中获得的活动 IRI："
            "专题班（在线选学中免修）或年度在线选学（专题班中免修）。用于核查学时不重复计算。",
            "GB/T 38856—2020 §8.2.5, §8.3.6: on a waived (免修) statement, the IRI of the Activity "
            "in which the course's credit-hours were already earned: a theme class (exempt in "
            "elective learning) or an annual elective programme (exempt inside a class). Lets "
            "auditors check nothing is counted twice.",
        ),
        "recommendedVerbs": [ADL_WAIVED],
        "inlineSchema": schema({"type": "string", "format": "iri", "minLength": 1}),
        "_unit": "—",
        "_example": "http://example.gov.cn/fsa/classes/2024-FZ-SZZF-01",
    },
]


# ---------------------------------------------------------------------------------------------
# Statement Template rules
# ---------------------------------------------------------------------------------------------
def ctx(iri: str) -> str:
    return f"$.context.extensions['{iri}']"


def res(iri: str) -> str:
    return f"$.result.extensions['{iri}']"


def obj(iri: str) -> str:
    return f"$.object.definition.extensions['{iri}']"


def par(iri: str) -> str:
    return f"$.context.contextActivities.parent[*].definition.extensions['{iri}']"


def rule(
    location: str,
    presence: str | None = None,
    *,
    selector: str | None = None,
    any: list | None = None,
    all: list | None = None,
    none: list | None = None,
    note: tuple[str, str] | None = None,
) -> dict:
    r: dict = {"location": location}
    if selector is not None:
        r["selector"] = selector
    if presence is not None:
        r["presence"] = presence
    if any is not None:
        r["any"] = any
    if all is not None:
        r["all"] = all
    if none is not None:
        r["none"] = none
    if note is not None:
        r["scopeNote"] = lang(*note)
    return r


CONTEXT_TYPES = (
    "$.context.contextActivities.parent[*].definition.type"
    " | $.context.contextActivities.grouping[*].definition.type"
)

COMMON = [
    rule("$.id", "included"),
    rule(
        "$.timestamp",
        "included",
        note=(
            "学习发生的时间，带时区（建议 +08:00）。模式按时间戳排序。",
            "When the learning happened, with a time zone (+08:00 recommended). Patterns order "
            "statements by timestamp.",
        ),
    ),
    rule(
        "$.actor.objectType",
        none=["Group"],
        note=(
            "行为者是一名学员（Agent），不能是群组。",
            "The actor is one trainee (an Agent), never a Group.",
        ),
    ),
    rule(
        "$.actor.account.homePage",
        "included",
        note=(
            "学员账号所在学习平台的主页（§6.1.3 账号信息）。",
            "Home page of the learning platform that holds the trainee's account (§6.1.3).",
        ),
    ),
    rule("$.actor.account.name", "included"),
    rule(
        "$.actor.mbox | $.actor.mbox_sha1sum | $.actor.openid",
        "excluded",
        note=(
            "只用平台账号标识学员，不传电子邮箱等个人信息（§6.1.3、§9.2.3）。",
            "Identify trainees by platform account only; no e-mail address or other personal "
            "identifiers (§6.1.3, §9.2.3).",
        ),
    ),
    rule(
        "$.context.registration",
        "included",
        note=(
            "一个 registration 对应一份最小档案单元：学员×课程（在线选学）或学员×专题班（§9.1.2）。",
            "One registration is one smallest archive unit: trainee × course (elective learning) or "
            "trainee × theme class (§9.1.2).",
        ),
    ),
    rule("$.context.contextActivities.category[*].id", "included", any=[VERSION_ID]),
    rule("$.object.definition.name['zh-CN']", "included"),
    rule(
        ctx(E_AGREED_ID),
        "included",
        note=(
            "每条语句都必须带约定的标识符（§6.1.3）。",
            "Every statement carries the agreed identifier (§6.1.3).",
        ),
    ),
    rule(ctx(E_INSTITUTION), "included"),
    rule(ctx(E_UNIT), "included"),
    rule(ctx(E_POSITION), "recommended"),
    rule(ctx(E_RANK), "recommended"),
    rule("$.context.platform", "recommended"),
]

NO_CREDIT = rule(
    res(E_CREDIT_EARNED),
    "excluded",
    note=(
        "只有授予学时的语句才带获得学时。",
        "Only crediting statements carry credit-hours earned.",
    ),
)


def year(presence: str) -> dict:
    return rule(ctx(E_YEAR), presence)


def requirement(presence: str) -> dict:
    return rule(ctx(E_REQUIREMENT), presence)


def course_object(presence: str) -> list[dict]:
    return [
        rule(obj(E_COURSE_DURATION), presence),
        rule(obj(E_COURSE_CREDIT), presence),
        rule(obj(E_ASSESSMENT_REQUIRED), presence),
        rule(obj(E_COURSE_CODE), "recommended"),
    ]


def course_parent(presence: str) -> list[dict]:
    return [
        rule(par(E_COURSE_DURATION), presence),
        rule(par(E_COURSE_CREDIT), presence),
        rule(par(E_ASSESSMENT_REQUIRED), presence),
    ]


def parents_all(activity_type: str, zh: str, en: str) -> dict:
    return rule(
        "$.context.contextActivities.parent[*]",
        selector="$.definition.type",
        all=[activity_type],
        note=(zh, en),
    )


ELECTIVE_COURSE_CTX = [
    parents_all(
        T_PROGRAMME,
        "在线选学课程的 parent 只能是年度在线选学活动（带 definition.type）。",
        "The parents of an elective-learning course statement are annual elective "
        "programmes only (each with definition.type).",
    ),
    rule(
        CONTEXT_TYPES,
        none=[T_CLASS],
        note=(
            "在线选学语句不得同时归属专题班：同一学习不能既算选学又算专题班（§8.3.6 不重复计算）。",
            "An elective-learning statement never also belongs to a theme class: one piece of "
            "learning cannot count for both (§8.3.6, no double counting).",
        ),
    ),
]
CLASS_COURSE_CTX = [
    parents_all(
        T_CLASS,
        "专题班内课程的 parent 只能是专题班（带 definition.type）。",
        "The parents of a class-course statement are theme classes only (each with "
        "definition.type).",
    ),
    rule(
        CONTEXT_TYPES,
        none=[T_PROGRAMME],
        note=(
            "专题班内课程语句不得同时归属年度在线选学（§8.3.6 不重复计算）。",
            "A class-course statement never also belongs to an elective programme (§8.3.6).",
        ),
    ),
]
ELECTIVE_ASSESSMENT_CTX = [
    parents_all(
        T_COURSE,
        "课程考核的 parent 是被考核的课程。",
        "The parent of a course assessment is the course assessed.",
    ),
    rule(CONTEXT_TYPES, none=[T_CLASS]),
]
CLASS_ASSESSMENT_CTX = [
    parents_all(
        T_COURSE,
        "课程考核的 parent 是被考核的课程；专题班放在 grouping。",
        "The parent of a course assessment is the course assessed; the theme class goes "
        "in grouping.",
    ),
    rule(CONTEXT_TYPES, none=[T_PROGRAMME]),
]
CLASS_MEMBER_CTX = [
    parents_all(T_CLASS, "parent 是所属专题班。", "The parent is the theme class."),
]

LEARNING_DURATION_NOTE = (
    "本注册内截至本语句的累计学习时长（分钟，§3.9）。",
    "Cumulative minutes spent in this registration up to this statement (§3.9).",
)
CREDIT_NOTE_COMPLETED = (
    "无需考核的课程：等于课程学时；需要考核的课程：为0，学时在课程考核 passed 时授予（§8.2.5）。",
    "Course without assessment: the course credit-hours; course with assessment: 0 — the "
    "credit-hours come with the passed statement of its course assessment (§8.2.5).",
)
CREDIT_NOTE_PASSED = (
    "等于课程学时（parent 课程的 course-credit-hours，§8.2.5）。",
    "The course credit-hours (course-credit-hours of the parent course, §8.2.5).",
)
CREDIT_NOTE_CLASS = (
    "专题班学时（class-credit-hours）减去在班内免修课程的学时（§8.3.6，不重复计算）。",
    "The class credit-hours (class-credit-hours) less the credit-hours of courses exempted "
    "inside the class (§8.3.6, never counted twice).",
)


def course_session_rules(family: str, verb: str) -> list[dict]:
    """Rules of launched/initialized/progressed/terminated for a course in either family."""
    ctx_rules = ELECTIVE_COURSE_CTX if family == "elective" else CLASS_COURSE_CTX
    rules = (
        COMMON
        + ctx_rules
        + course_object("recommended")
        + [requirement("recommended"), year("recommended")]
    )
    if verb == "progressed":
        rules += [
            rule(res(E_LEARNING_DURATION), "included", note=LEARNING_DURATION_NOTE),
            rule(res(CMI5_PROGRESS), "recommended"),
            rule(
                "$.result.completion",
                none=[True],
                note=(
                    "progressed 不表示完成；完成用 completed。",
                    "progressed never claims completion; use completed.",
                ),
            ),
        ]
    if verb == "terminated":
        rules += [
            rule(
                "$.result.duration",
                "recommended",
                note=("本次会话时长（ISO 8601）。", "Length of this session (ISO 8601)."),
            ),
            rule(res(E_LEARNING_DURATION), "recommended", note=LEARNING_DURATION_NOTE),
        ]
    return rules + [NO_CREDIT]


def completed_rules(family: str) -> list[dict]:
    if family == "elective":
        head = (
            COMMON
            + ELECTIVE_COURSE_CTX
            + course_object("included")
            + [requirement("included"), year("included")]
        )
        credit = rule(res(E_CREDIT_EARNED), "included", note=CREDIT_NOTE_COMPLETED)
    else:
        head = (
            COMMON
            + CLASS_COURSE_CTX
            + course_object("included")
            + [requirement("recommended"), year("recommended")]
        )
        credit = rule(
            res(E_CREDIT_EARNED),
            "excluded",
            note=(
                "专题班内课程不单独授予学时，学时随专题班考核 passed 授予（§8.3.6）。",
                "A course inside a class grants no credit-hours of its own; they come with the "
                "passed statement of the class assessment (§8.3.6).",
            ),
        )
    return head + [
        rule("$.result.completion", "included", all=[True]),
        rule(
            "$.result.success",
            "excluded",
            note=("是否通过由考核语句表达。", "Passing is stated by the assessment statements."),
        ),
        rule(res(E_LEARNING_DURATION), "included", note=LEARNING_DURATION_NOTE),
        rule("$.result.duration", "recommended"),
        credit,
    ]


def exempted_rules(family: str) -> list[dict]:
    if family == "elective":
        head = (
            COMMON
            + ELECTIVE_COURSE_CTX
            + course_object("included")
            + [requirement("included"), year("included")]
        )
        note = (
            "该课程学时已在其中获得的专题班 IRI。",
            "IRI of the theme class in which the course's credit-hours were already earned.",
        )
    else:
        head = (
            COMMON
            + CLASS_COURSE_CTX
            + course_object("included")
            + [requirement("recommended"), year("included")]
        )
        note = (
            "该课程学时已在其中获得的年度在线选学 IRI（§8.3.6）。",
            "IRI of the annual elective "
            "programme in which the course's credit-hours were already earned (§8.3.6).",
        )
    return head + [
        rule(res(E_EXEMPTION_SOURCE), "included", note=note),
        rule(
            res(E_CREDIT_EARNED),
            "excluded",
            note=(
                "免修不授予学时：学时已计算过（§8.2.5）。",
                "An exemption grants nothing: the credit-hours were already counted (§8.2.5).",
            ),
        ),
    ]


def course_assessment_rules(family: str, passed: bool) -> list[dict]:
    ctx_rules = ELECTIVE_ASSESSMENT_CTX if family == "elective" else CLASS_ASSESSMENT_CTX
    crediting = passed and family == "elective"
    rules = (
        COMMON
        + ctx_rules
        + course_parent("included" if crediting else "recommended")
        + [
            requirement("included" if crediting else "recommended"),
            year("included" if crediting else "recommended"),
            rule("$.result.success", "included", all=[passed]),
            rule("$.result.score.scaled", "recommended"),
            rule("$.result.duration", "recommended"),
        ]
    )
    if passed:
        rules.append(
            rule(
                obj(E_BONUS),
                "recommended",
                note=(
                    "仅在允许考试奖励学分的政策下计入（湖南第十二条）。",
                    "Counted only under policies that allow exam bonus credits (Hunan art. 12).",
                ),
            )
        )
    if crediting:
        rules.append(rule(res(E_CREDIT_EARNED), "included", note=CREDIT_NOTE_PASSED))
    elif passed:
        rules.append(
            rule(
                res(E_CREDIT_EARNED),
                "excluded",
                note=(
                    "专题班内课程考核不单独授予学时（§8.3.6）。",
                    "A course assessment inside a class grants no credit-hours of its own (§8.3.6).",
                ),
            )
        )
    else:
        rules.append(NO_CREDIT)
    return rules


def tmpl(
    slug: str,
    zh: str,
    en: str,
    dzh: str,
    den: str,
    *,
    verb: str,
    object_type: str,
    parent: list[str] | None = None,
    grouping: list[str] | None = None,
    rules: list[dict],
) -> dict:
    t: dict = {
        "id": TP + slug,
        "type": "StatementTemplate",
        "inScheme": VERSION_ID,
        "prefLabel": lang(zh, en),
        "definition": lang(dzh, den),
        "verb": verb,
        "objectActivityType": object_type,
    }
    if grouping:
        t["contextGroupingActivityType"] = grouping
    if parent:
        t["contextParentActivityType"] = parent
    t["rules"] = rules
    return t


def lower1(text: str) -> str:
    return text[:1].lower() + text[1:]


E_FAM = ("在线选学：", "Online elective learning: ")
C_FAM = ("专题班内课程：", "Course inside a theme class: ")


def session_template(
    family: str, slug_verb: str, verb: str, zh: str, en: str, dzh: str, den: str
) -> dict:
    fam = E_FAM if family == "elective" else C_FAM
    slug = ("course-" if family == "elective" else "class-course-") + slug_verb
    parent = [T_PROGRAMME] if family == "elective" else [T_CLASS]
    return tmpl(
        slug,
        fam[0] + zh,
        fam[1] + en,
        fam[0] + dzh,
        fam[1] + lower1(den),
        verb=verb,
        object_type=T_COURSE,
        parent=parent,
        rules=course_session_rules(family, slug_verb),
    )


def family_templates(family: str) -> list[dict]:
    fam = E_FAM if family == "elective" else C_FAM
    pre = "course-" if family == "elective" else "class-course-"
    parent = [T_PROGRAMME] if family == "elective" else [T_CLASS]
    container = [T_PROGRAMME] if family == "elective" else [T_CLASS]
    out = [
        session_template(
            family,
            "launched",
            ADL_LAUNCHED,
            "启动课程",
            "course launched",
            "平台为学员启动一次课程学习会话。每次会话以 launched 开始。",
            "The platform starts a learning session of the course for the trainee. "
            "Every session starts with launched.",
        ),
        session_template(
            family,
            "initialized",
            ADL_INITIALIZED,
            "课程初始化",
            "course initialized",
            "课件播放器已加载课程，会话开始计时。",
            "The course player has loaded the course; the session clock starts.",
        ),
        session_template(
            family,
            "progressed",
            ADL_PROGRESSED,
            "课程学习进度",
            "course progressed",
            "会话中定期报告学习进度和累计学习时长（§3.9、§8.2.3 提示学习进度）。",
            "Periodic report of progress and cumulative learning duration during a "
            "session (§3.9; §8.2.3 progress prompts).",
        ),
        tmpl(
            pre + "completed",
            fam[0] + "完成课程学习",
            fam[1] + "course completed",
            fam[0]
            + (
                "学员完成课程学习。无需考核的课程由此获得课程学时（§8.2.5）。"
                if family == "elective"
                else "学员完成专题班内一门课程的学习；学时随专题班考核授予（§8.3.6）。"
            ),
            fam[1]
            + (
                "the trainee finished studying the course. A course without assessment "
                "earns its credit-hours here (§8.2.5)."
                if family == "elective"
                else "the trainee finished studying a course of the class; credit-hours come "
                "with the class assessment (§8.3.6)."
            ),
            verb=ADL_COMPLETED,
            object_type=T_COURSE,
            parent=parent,
            rules=completed_rules(family),
        ),
        session_template(
            family,
            "terminated",
            ADL_TERMINATED,
            "结束课程会话",
            "course session terminated",
            "一次课程学习会话结束。",
            "A learning session of the course ended.",
        ),
        tmpl(
            pre + "exempted",
            fam[0] + "课程免修",
            fam[1] + "course exempted",
            fam[0]
            + (
                "该课程学时已在专题班中获得，在线选学中免修，不重复计算（§8.2.5）。"
                if family == "elective"
                else "该课程学时已通过在线选学获得，在专题班中免修，不重复计算（§8.3.6）。"
            ),
            fam[1]
            + (
                "the course's credit-hours were already earned in a theme class, so it is "
                "exempt in elective learning and not counted twice (§8.2.5)."
                if family == "elective"
                else "the course's credit-hours were already earned through elective learning, "
                "so it is exempt inside the class and not counted twice (§8.3.6)."
            ),
            verb=ADL_WAIVED,
            object_type=T_COURSE,
            parent=parent,
            rules=exempted_rules(family),
        ),
        tmpl(
            pre + "assessment-passed",
            fam[0] + "课程考核通过",
            fam[1] + "course assessment passed",
            fam[0]
            + (
                "学员通过课程考核，需要考核的课程由此获得课程学时（§8.2.5）。"
                if family == "elective"
                else "学员通过专题班内课程的考核（不单独授予学时）。"
            ),
            fam[1]
            + (
                "the trainee passed the course assessment; a course with assessment earns "
                "its credit-hours here (§8.2.5)."
                if family == "elective"
                else "the trainee passed the assessment of a course of the class (no credit-hours "
                "of its own)."
            ),
            verb=ADL_PASSED,
            object_type=T_COURSE_ASSESSMENT,
            parent=[T_COURSE],
            grouping=container,
            rules=course_assessment_rules(family, True),
        ),
        tmpl(
            pre + "assessment-failed",
            fam[0] + "课程考核未通过",
            fam[1] + "course assessment failed",
            fam[0] + "学员未通过课程考核，可重新学习后再考。",
            fam[1] + "the trainee failed the course assessment and may study again and retake it.",
            verb=ADL_FAILED,
            object_type=T_COURSE_ASSESSMENT,
            parent=[T_COURSE],
            grouping=container,
            rules=course_assessment_rules(family, False),
        ),
    ]
    return out


COURSE_REGISTERED = tmpl(
    "course-registered",
    "在线选学：选课",
    "Online elective learning: course chosen",
    "学员在年度在线选学中选定一门课程（选课，§10）。可选；如发送，必须是该注册的第一条语句。",
    "The trainee chooses a course in the year's online elective learning (选课, §10). Optional; "
    "when sent it is the first statement of the registration.",
    verb=ADL_REGISTERED,
    object_type=T_COURSE,
    parent=[T_PROGRAMME],
    rules=COMMON
    + ELECTIVE_COURSE_CTX
    + course_object("included")
    + [requirement("included"), year("recommended"), NO_CREDIT],
)

CLASS_TEMPLATES = [
    tmpl(
        "class-registered",
        "专题班：报名",
        "Theme class: enrolled",
        "学员报名参加专题班（§8.3.3）；调训专题班由管理部门指定，平台同样发送本语句。注册的第一条语句。",
        "The trainee enrols in a theme class (§8.3.3); for an assigned class the management "
        "department's nomination is the enrolment and the platform sends this statement too. "
        "First statement of the registration.",
        verb=ADL_REGISTERED,
        object_type=T_CLASS,
        rules=COMMON
        + [
            rule(obj(E_CLASS_KIND), "included"),
            rule(obj(E_CLASS_CREDIT), "recommended"),
            year("recommended"),
            NO_CREDIT,
        ],
    ),
    tmpl(
        "class-enrolment-approved",
        "专题班：报名审核通过",
        "Theme class: enrolment approved",
        "学员的报名经审核通过，可开始专题班学习（§8.3.3）。",
        "The trainee's enrolment was approved; "
        "the trainee may start studying in the class (§8.3.3).",
        verb=V_APPROVED,
        object_type=T_CLASS,
        rules=COMMON + [rule(obj(E_CLASS_KIND), "recommended"), year("recommended"), NO_CREDIT],
    ),
    tmpl(
        "class-enrolment-rejected",
        "专题班：报名审核未通过",
        "Theme class: enrolment rejected",
        "学员的报名经审核未通过（§8.3.3），本注册到此结束。",
        "The trainee's enrolment was not approved (§8.3.3); the registration ends here.",
        verb=V_REJECTED,
        object_type=T_CLASS,
        rules=COMMON
        + [
            rule(obj(E_CLASS_KIND), "recommended"),
            rule(
                "$.result.response",
                "recommended",
                note=("未通过原因。", "Why the enrolment was not approved."),
            ),
            year("recommended"),
            NO_CREDIT,
        ],
    ),
    tmpl(
        "class-assessment-passed",
        "专题班：考核通过",
        "Theme class: class assessment passed",
        "学员通过专题班考核，获得专题班学时（§8.3.6）。",
        "The trainee passed the class assessment and earns the class's credit-hours (§8.3.6).",
        verb=ADL_PASSED,
        object_type=T_CLASS_ASSESSMENT,
        parent=[T_CLASS],
        rules=COMMON
        + CLASS_MEMBER_CTX
        + [
            rule(par(E_CLASS_CREDIT), "recommended"),
            year("included"),
            rule("$.result.success", "included", all=[True]),
            rule("$.result.score.scaled", "recommended"),
            rule("$.result.duration", "recommended"),
            rule(
                res(E_LEARNING_DURATION),
                "recommended",
                note=(
                    "本专题班注册内的累计学习时长（分钟）。",
                    "Cumulative minutes spent in this class registration.",
                ),
            ),
            rule(res(E_CREDIT_EARNED), "included", note=CREDIT_NOTE_CLASS),
        ],
    ),
    tmpl(
        "class-assessment-failed",
        "专题班：考核未通过",
        "Theme class: class assessment failed",
        "学员未通过专题班考核，可继续学习后再考。",
        "The trainee failed the class assessment and may keep studying and retake it.",
        verb=ADL_FAILED,
        object_type=T_CLASS_ASSESSMENT,
        parent=[T_CLASS],
        rules=COMMON
        + CLASS_MEMBER_CTX
        + [
            year("recommended"),
            rule("$.result.success", "included", all=[False]),
            rule("$.result.score.scaled", "recommended"),
            NO_CREDIT,
        ],
    ),
    tmpl(
        "class-certificate-issued",
        "专题班：颁发结业证书",
        "Theme class: certificate issued",
        "学员通过专题班考核后获颁结业证书（§3.11、§8.3.6）。可选。",
        "The trainee, having passed the "
        "class assessment, was issued the completion certificate (§3.11, §8.3.6). Optional.",
        verb=V_CERTIFIED,
        object_type=T_CERTIFICATE,
        parent=[T_CLASS],
        rules=COMMON + CLASS_MEMBER_CTX + [year("included"), NO_CREDIT],
    ),
]

RESOURCE_TEMPLATE = tmpl(
    "resource-experienced",
    "使用辅助学习资源",
    "Auxiliary resource experienced",
    "学员浏览一项辅助学习资源（§7.2、§8.2.3、§8.3.4），不产生学时。可在专题班注册内，或在自己的注册中。",
    "The trainee used an auxiliary learning resource (§7.2, §8.2.3, §8.3.4); no credit-hours. "
    "Either inside a theme-class registration or in a registration of its own.",
    verb=ADL_EXPERIENCED,
    object_type=T_RESOURCE,
    rules=COMMON
    + [
        rule(
            "$.context.contextActivities.parent[*]",
            selector="$.definition.type",
            all=[T_CLASS, T_PROGRAMME],
            note=(
                "如有 parent，只能是专题班或年度在线选学。",
                "A parent, if any, is a theme class or an annual elective programme.",
            ),
        ),
        rule(res(E_LEARNING_DURATION), "recommended"),
        rule("$.result.duration", "recommended"),
        year("recommended"),
        NO_CREDIT,
    ],
)

_elective = family_templates("elective")
_class_course = family_templates("class")
TEMPLATES = (
    [COURSE_REGISTERED]
    + _elective
    + CLASS_TEMPLATES[:3]
    + _class_course
    + CLASS_TEMPLATES[3:]
    + [RESOURCE_TEMPLATE]
)


def slug(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------
def pat(
    slug_: str, kind: str, members, zh: str, en: str, dzh: str, den: str, primary: bool = False
) -> dict:
    p: dict = {"id": PT + slug_, "type": "Pattern", "inScheme": VERSION_ID}
    if primary:
        p["primary"] = True
    p["prefLabel"] = lang(zh, en)
    p["definition"] = lang(dzh, den)
    if kind in ("sequence", "alternates"):
        p[kind] = [
            m if m.startswith("http") else (TP + m if not m.startswith("@") else PT + m[1:])
            for m in members
        ]
    else:
        m = members
        p[kind] = m if m.startswith("http") else (TP + m if not m.startswith("@") else PT + m[1:])
    return p


# Members: "slug" = a template of this profile, "@slug" = a pattern of this profile.
PATTERNS = [
    # --- online elective learning: one registration = one trainee x one course -------------
    pat(
        "elective-course",
        "sequence",
        ["@course-registered-optional", "@course-study-or-exemption"],
        "在线选学课程",
        "Online elective course",
        "一名学员在在线选学中学习一门课程的全过程（一个 registration）：可选的选课，然后要么学习（一次或多次会话，"
        "完成，可能多次考核未通过后通过），要么免修。",
        "Everything one trainee does with one course in online elective learning (one "
        "registration): an optional course-chosen statement, then either study (one or more "
        "sessions, completion, possibly failed assessments and finally a pass) or exemption.",
        primary=True,
    ),
    pat(
        "course-registered-optional",
        "optional",
        "course-registered",
        "可选的选课",
        "Optional course chosen",
        "0或1条选课语句。",
        "Zero or one course-chosen statement.",
    ),
    pat(
        "course-study-or-exemption",
        "alternates",
        ["@course-study", "@course-exemption"],
        "学习或免修",
        "Study or exemption",
        "学习路径与免修路径二选一。",
        "Either the study path or the exemption path.",
    ),
    pat(
        "course-study",
        "sequence",
        [
            "@course-sessions",
            "course-completed",
            "@course-after-completion",
            "@course-passed-optional",
        ],
        "课程学习",
        "Course study",
        "一次或多次学习会话 → 完成 → 任意次重学、结束会话或考核未通过 → 可选的考核通过（及其后的复习）。",
        "One or more sessions → completed → any number of further sessions, stray terminations "
        "or failed assessments → optionally a passed assessment (and review afterwards).",
    ),
    pat(
        "course-sessions",
        "oneOrMore",
        "@course-session",
        "一次或多次会话",
        "One or more sessions",
        "一次或多次课程学习会话。",
        "One or more learning sessions.",
    ),
    pat(
        "course-sessions-any",
        "zeroOrMore",
        "@course-session",
        "任意次会话",
        "Any number of sessions",
        "零次或多次课程学习会话。",
        "Zero or more learning sessions.",
    ),
    pat(
        "course-session",
        "sequence",
        [
            "course-launched",
            "@course-initialized-optional",
            "@course-progress",
            "@course-terminated-optional",
        ],
        "一次学习会话",
        "One learning session",
        "launched → 可选 initialized → 任意次 progressed → 可选 terminated。",
        "launched → optional initialized → any number of progressed → optional terminated.",
    ),
    pat(
        "course-initialized-optional",
        "optional",
        "course-initialized",
        "可选的初始化",
        "Optional initialized",
        "0或1条 initialized。",
        "Zero or one initialized.",
    ),
    pat(
        "course-progress",
        "zeroOrMore",
        "course-progressed",
        "学习进度",
        "Progress reports",
        "零或多条 progressed。",
        "Zero or more progressed.",
    ),
    pat(
        "course-terminated-optional",
        "optional",
        "course-terminated",
        "可选的会话结束",
        "Optional terminated",
        "0或1条 terminated。",
        "Zero or one terminated.",
    ),
    pat(
        "course-after-completion",
        "zeroOrMore",
        "@course-after-completion-step",
        "完成后的学习与考核",
        "After completion",
        "完成后任意次：再学习会话、结束会话、课程考核未通过。",
        "After completion, any number of: further sessions, terminations, failed assessments.",
    ),
    pat(
        "course-after-completion-step",
        "alternates",
        ["@course-session", "course-terminated", "course-assessment-failed"],
        "完成后的一步",
        "One step after completion",
        "一次会话、一条 terminated 或一次考核未通过。",
        "A session, a terminated statement or a failed assessment.",
    ),
    pat(
        "course-passed-optional",
        "optional",
        "@course-passed-then-review",
        "可选的考核通过",
        "Optional pass",
        "0或1次考核通过（无需考核的课程没有）。",
        "Zero or one pass (none for a course without assessment).",
    ),
    pat(
        "course-passed-then-review",
        "sequence",
        ["course-assessment-passed", "@course-review"],
        "考核通过后复习",
        "Pass, then review",
        "考核通过，其后可再复习；不再有考核。",
        "The pass, then optional review; no more assessments.",
    ),
    pat(
        "course-review",
        "zeroOrMore",
        "@course-review-step",
        "复习",
        "Review",
        "零或多次复习会话或 terminated。",
        "Zero or more review sessions or terminations.",
    ),
    pat(
        "course-review-step",
        "alternates",
        ["@course-session", "course-terminated"],
        "一次复习",
        "One review step",
        "一次会话或一条 terminated。",
        "A session or a terminated statement.",
    ),
    pat(
        "course-exemption",
        "sequence",
        ["@course-sessions-any", "course-exempted", "@course-review"],
        "课程免修",
        "Course exemption",
        "可能已有的学习会话 → 免修 → 可选复习。免修后不再有完成或考核。",
        "Possibly some sessions → exempted → optional review. No completion or assessment after "
        "an exemption.",
    ),
    # --- theme class: one registration = one trainee x one class ----------------------------
    pat(
        "theme-class",
        "sequence",
        ["class-registered", "@class-admission-outcome"],
        "专题班学习",
        "Theme-class learning",
        "一名学员在一个专题班的全过程（一个 registration）：报名 → 审核未通过；或审核通过 → 任意顺序的班内课程学习、"
        "辅助资源使用和专题班考核未通过 → 可选的专题班考核通过 → 可选的结业证书（其前后可复习）。",
        "Everything one trainee does in one theme class (one registration): enrolled → rejected; "
        "or approved → class-course activity, auxiliary resources and failed class assessments "
        "in any order → optionally a passed class assessment → optionally a certificate (with "
        "review before and after it).",
        primary=True,
    ),
    pat(
        "class-admission-outcome",
        "alternates",
        ["@class-admitted", "class-enrolment-rejected"],
        "审核结果",
        "Enrolment outcome",
        "审核通过后的学习，或审核未通过。",
        "Learning after approval, or rejection.",
    ),
    pat(
        "class-admitted",
        "sequence",
        ["class-enrolment-approved", "@class-study", "@class-passed-optional"],
        "审核通过后的专题班学习",
        "Learning after approval",
        "审核通过 → 班内学习（含考核未通过）→ 可选的考核通过路径。",
        "Approved → class learning (failed class assessments included) → optional pass path.",
    ),
    pat(
        "class-study",
        "zeroOrMore",
        "@class-study-step",
        "班内学习",
        "Class learning",
        "零或多步班内学习。",
        "Zero or more steps of class learning.",
    ),
    pat(
        "class-study-step",
        "alternates",
        ["@class-course-activity", "class-assessment-failed"],
        "班内学习的一步",
        "One step of class learning",
        "一条班内课程/辅助资源语句，或一次专题班考核未通过。",
        "One class-course or auxiliary-resource statement, or a failed class assessment.",
    ),
    pat(
        "class-course-activity",
        "alternates",
        [
            "class-course-launched",
            "class-course-initialized",
            "class-course-progressed",
            "class-course-completed",
            "class-course-terminated",
            "class-course-exempted",
            "class-course-assessment-passed",
            "class-course-assessment-failed",
            "resource-experienced",
        ],
        "班内课程活动",
        "Class-course activity",
        "班内课程的任一语句或辅助资源语句。多门课程可交叉进行，因此不在此约束单门课程内的顺序。",
        "Any statement about a course of the class, or an auxiliary resource. Courses may "
        "interleave, so the order within one course is not constrained here.",
    ),
    pat(
        "class-review",
        "zeroOrMore",
        "@class-course-activity",
        "考核通过后的复习",
        "Review after the pass",
        "零或多条班内课程活动。",
        "Zero or more class-course activity statements.",
    ),
    pat(
        "class-passed-optional",
        "optional",
        "@class-passed-path",
        "可选的考核通过",
        "Optional pass",
        "0或1次专题班考核通过路径。",
        "Zero or one pass path.",
    ),
    pat(
        "class-passed-path",
        "sequence",
        [
            "class-assessment-passed",
            "@class-review",
            "@class-certificate-optional",
            "@class-review",
        ],
        "考核通过与结业",
        "Pass and certificate",
        "专题班考核通过 → 复习 → 可选的结业证书 → 复习。通过后不再有专题班考核。",
        "Class assessment passed → review → optional certificate → review. No class assessment "
        "after the pass.",
    ),
    pat(
        "class-certificate-optional",
        "optional",
        "class-certificate-issued",
        "可选的结业证书",
        "Optional certificate",
        "0或1条获颁结业证书。",
        "Zero or one certificate.",
    ),
    # --- auxiliary resources in a registration of their own ---------------------------------
    pat(
        "auxiliary-resource-use",
        "oneOrMore",
        "resource-experienced",
        "辅助学习资源使用",
        "Auxiliary resource use",
        "在专题班之外使用辅助学习资源：一个 registration 内一条或多条 experienced。",
        "Using auxiliary resources outside a theme class: one or more experienced statements in "
        "one registration.",
        primary=True,
    ),
]


def profile_document() -> dict:
    concepts = []
    for c in ACTIVITY_TYPES:
        d = {
            "id": c["id"],
            "type": "ActivityType",
            "inScheme": VERSION_ID,
            "prefLabel": c["prefLabel"],
            "definition": c["definition"],
        }
        if "broadMatch" in c:
            d["broadMatch"] = c["broadMatch"]
        concepts.append(d)
    for c in VERBS:
        d = {
            "id": c["id"],
            "type": "Verb",
            "inScheme": VERSION_ID,
            "prefLabel": c["prefLabel"],
            "definition": c["definition"],
        }
        for k in ("broadMatch", "relatedMatch"):
            if k in c:
                d[k] = c[k]
        concepts.append(d)
    for c in EXTENSIONS:
        d = {
            "id": c["id"],
            "type": c["type"],
            "inScheme": VERSION_ID,
            "prefLabel": c["prefLabel"],
            "definition": c["definition"],
        }
        for k in ("recommendedActivityTypes", "recommendedVerbs"):
            if k in c:
                d[k] = c[k]
        d["inlineSchema"] = c["inlineSchema"]
        concepts.append(d)
    return {
        "@context": "https://w3id.org/xapi/profiles/context",
        "id": PROFILE_ID,
        "type": "Profile",
        "conformsTo": "https://w3id.org/xapi/profiles#1.0",
        "prefLabel": lang(
            "干部网络培训 xAPI 规范（GB/T 38856—2020）", "Cadre online training (GB/T 38856—2020)"
        ),
        "definition": lang(
            "依据 GB/T 38856—2020《干部网络培训业务管理通用要求》，规定培训机构学习平台向学习记录存储（LRS）"
            "报送在线选学、专题班学习过程和学习结果数据的 xAPI 语句：活动类型、动词、扩展、语句模板和模式。"
            "学时计算等年度政策见 seeAlso。",
            "xAPI statements that training-institution platforms send to the learning record store "
            "for online elective learning and theme-class learning under GB/T 38856—2020 (Online "
            "training for leadership — General requirements for business management): activity "
            "types, verbs, extensions, statement templates and patterns. Annual credit policies "
            "are described at seeAlso.",
        ),
        "seeAlso": SEE_ALSO,
        "versions": [{"id": VERSION_ID, "generatedAtTime": GENERATED_AT}],
        "author": {"type": "Organization", "name": "Cadre-training LRS project"},
        "concepts": concepts,
        "templates": TEMPLATES,
        "patterns": PATTERNS,
    }
