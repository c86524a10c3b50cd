"""Realistic statements of ADL's video (v1.0.3) and flashcards (v0.1) profiles.

Written for these tests after the profiles' own documentation: a video
player session is initialized → played / paused / seeked / interacted … →
completed → terminated, every statement in one registration with the profile
version in category; a flashcard session is launched → viewed → exited.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta

VIDEO_VERSION = "https://w3id.org/xapi/video/v1.0.3"
VIDEO_TYPE = "https://w3id.org/xapi/video/activity-type/video"
VX = "https://w3id.org/xapi/video/extensions/"
ADL = "http://adlnet.gov/expapi/verbs/"
VIDEO_VERBS = {
    "initialized": ADL + "initialized",
    "played": "https://w3id.org/xapi/video/verbs/played",
    "paused": "https://w3id.org/xapi/video/verbs/paused",
    "seeked": "https://w3id.org/xapi/video/verbs/seeked",
    "interacted": ADL + "interacted",
    "completed": ADL + "completed",
    "terminated": ADL + "terminated",
}

FLASHCARDS_VERSION = "https://w3id.org/xapi/flashcards/v0.1"
DECK = "https://w3id.org/xapi/flashcards/activity-types/flashcard-deck"
CARD = "https://w3id.org/xapi/flashcards/activity-types/flashcard"

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _stamp(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


class VideoSession:
    """One learner watching one video; each call returns the next statement."""

    def __init__(self, length: float = 632.0, registration: str | None = None) -> None:
        self.registration = registration or str(uuid.uuid4())
        self.session = str(uuid.uuid4())
        self.length = length
        self.clock = 0.0

    def _statement(self, verb: str, context_ext: dict, result: dict | None = None) -> dict:
        self.clock += 7.5
        statement = {
            "id": str(uuid.uuid4()),
            "timestamp": _stamp(self.clock),
            "actor": {
                "objectType": "Agent",
                "name": "李明",
                "mbox": "mailto:liming@example.gov.cn",
            },
            "verb": {"id": VIDEO_VERBS[verb], "display": {"en-US": verb}},
            "object": {
                "objectType": "Activity",
                "id": "https://video.example.gov.cn/lectures/rule-of-law-2026",
                "definition": {
                    "type": VIDEO_TYPE,
                    "name": {"zh-CN": "法治政府建设专题讲座", "en-US": "Rule of law lecture"},
                },
            },
            "context": {
                "registration": self.registration,
                "contextActivities": {
                    "category": [
                        {
                            "objectType": "Activity",
                            "id": VIDEO_VERSION,
                            "definition": {"type": "http://adlnet.gov/expapi/activities/profile"},
                        }
                    ]
                },
                "extensions": {
                    VX + "session-id": self.session,
                    VX + "length": self.length,
                    **context_ext,
                },
            },
        }
        if result is not None:
            statement["result"] = result
        return statement

    def initialized(self) -> dict:
        return self._statement(
            "initialized",
            {
                VX + "completion-threshold": 0.9,
                VX + "cc-subtitle-lang": "zh-CN",
                VX + "frame-rate": 25,
                VX + "full-screen": False,
                VX + "quality": 720,
                VX + "screen-size": "1920x1080",
                VX + "video-playback-size": "1280x720",
                VX + "speed": "1x",
                VX + "user-agent": "Mozilla/5.0",
                VX + "volume": 0.8,
            },
        )

    def played(self, time: float) -> dict:
        return self._statement("played", {}, {"extensions": {VX + "time": time}})

    def paused(self, time: float, progress: float, segments: str) -> dict:
        return self._statement(
            "paused",
            {VX + "completion-threshold": 0.9},
            {
                "extensions": {
                    VX + "time": time,
                    VX + "progress": progress,
                    VX + "played-segments": segments,
                }
            },
        )

    def seeked(self, time_from: float, time_to: float) -> dict:
        return self._statement(
            "seeked",
            {},
            {"extensions": {VX + "time-from": time_from, VX + "time-to": time_to}},
        )

    def volume_changed(self, time: float, volume: float) -> dict:
        return self._statement(
            "interacted", {VX + "volume": volume}, {"extensions": {VX + "time": time}}
        )

    def completed(self, segments: str) -> dict:
        return self._statement(
            "completed",
            {VX + "completion-threshold": 0.9},
            {
                "completion": True,
                "duration": "PT10M32S",
                "extensions": {
                    VX + "time": self.length,
                    VX + "progress": 1,
                    VX + "played-segments": segments,
                },
            },
        )

    def terminated(self, time: float, progress: float, segments: str) -> dict:
        return self._statement(
            "terminated",
            {},
            {
                "extensions": {
                    VX + "time": time,
                    VX + "progress": progress,
                    VX + "played-segments": segments,
                }
            },
        )

    def whole_session(self) -> list[dict]:
        """initialized, played, paused, seeked, volume change, played, completed, terminated."""
        return [
            self.initialized(),
            self.played(0),
            self.paused(120.5, 0.19, "0[.]120.5"),
            self.seeked(120.5, 300),
            self.volume_changed(300, 0.5),
            self.played(300),
            self.completed("0[.]120.5[,]300[.]632"),
            self.terminated(632, 1, "0[.]120.5[,]300[.]632"),
        ]


class FlashcardSession:
    def __init__(self, registration: str | None = None) -> None:
        self.registration = registration or str(uuid.uuid4())
        self.clock = 0.0
        self.deck = "https://cards.example.gov.cn/decks/party-history"

    def _statement(
        self,
        verb: str,
        object_type: str,
        object_id: str,
        parent: bool = False,
        result: dict | None = None,
    ) -> dict:
        self.clock += 30
        context = {
            "registration": self.registration,
            "contextActivities": {
                "category": [{"id": FLASHCARDS_VERSION}],
            },
        }
        if parent:
            context["contextActivities"]["parent"] = [
                {"id": self.deck, "definition": {"type": DECK}}
            ]
        statement = {
            "id": str(uuid.uuid4()),
            "timestamp": _stamp(self.clock),
            "actor": {"mbox": "mailto:wangfang@example.gov.cn", "name": "王芳"},
            "verb": {"id": verb},
            "object": {"id": object_id, "definition": {"type": object_type}},
            "context": context,
        }
        if result:
            statement["result"] = result
        return statement

    def launched(self) -> dict:
        return self._statement(ADL + "launched", DECK, self.deck)

    def viewed(self, card: int = 1) -> dict:
        return self._statement(
            "http://id.tincanapi.com/verb/viewed", CARD, f"{self.deck}/cards/{card}", parent=True
        )

    def exited(self) -> dict:
        return self._statement(
            ADL + "exited", DECK, self.deck, result={"duration": "PT4M", "completion": True}
        )


def without(statement: dict, *path: str) -> dict:
    """A copy with the property at ``path`` removed."""
    copied = copy.deepcopy(statement)
    node = copied
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return copied
