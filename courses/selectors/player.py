"""Reads of the course player (issue 14 item 3): the outline with completion ticks and the lessons before and
after, a video's captions and transcript, and where a learner stopped watching."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Caption, Course, Enrollment, Lesson, LessonCompletion, Module, VideoProgress

_TIMING = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})\s+-->\s+(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass
class Outline:
    modules: list[Module]
    done: set[int]
    previous: Lesson | None
    next: Lesson | None


def lesson_outline(*, course: Course, lesson: Lesson, enrollment: Enrollment | None) -> Outline:
    """The course's modules and lessons in order, the lessons the learner completed, and the lessons before
    and after `lesson`: three queries."""
    modules = list(Module.objects.filter(course=course).order_by("position", "id"))
    lessons = list(Lesson.objects.filter(module__course=course).order_by("module__position", "module_id",
                                                                          "position", "id"))
    by_module: dict[int, list[Lesson]] = {}
    for item in lessons:
        by_module.setdefault(item.module_id, []).append(item)
    for module in modules:
        module.lesson_list = by_module.get(module.pk, [])  # type: ignore[attr-defined]
    ordered = [item for module in modules for item in by_module.get(module.pk, [])]
    index = next((i for i, item in enumerate(ordered) if item.pk == lesson.pk), 0)
    done = set() if enrollment is None else set(
        LessonCompletion.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True))
    return Outline(modules=modules, done=done, previous=ordered[index - 1] if index > 0 else None,
                   next=ordered[index + 1] if index + 1 < len(ordered) else None)


def captions_of(*, lesson: Lesson) -> list[Caption]:
    return list(Caption.objects.filter(lesson=lesson).select_related("upload").order_by("language"))


def caption_cues(*, text: str) -> list[Cue]:
    """The cues of a WebVTT text, their markup removed (the transcript under the video)."""
    cues: list[Cue] = []
    for block in re.split(r"\r?\n\r?\n", text.replace("\r\n", "\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        for i, line in enumerate(lines):
            match = _TIMING.search(line)
            if match is None:
                continue
            h1, m1, s1, ms1, h2, m2, s2, ms2 = (int(g or 0) for g in match.groups())
            words = " ".join(_TAGS.sub("", part).strip() for part in lines[i + 1:]).strip()
            if words:
                cues.append(Cue(start=h1 * 3600 + m1 * 60 + s1 + ms1 / 1000,
                                end=h2 * 3600 + m2 * 60 + s2 + ms2 / 1000, text=words))
            break
    return cues


def video_resume_position(*, enrollment: Enrollment | None, lesson: Lesson) -> float:
    """Where the learner stopped watching (0 at the first visit, and again once they reached the end)."""
    if enrollment is None:
        return 0.0
    progress = VideoProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
    if progress is None or (progress.duration_seconds and
                            progress.position_seconds >= progress.duration_seconds - 2):
        return 0.0
    return progress.position_seconds
