"""An IMS Common Cartridge 1.3 of a course (issue 17 item 5): the zip's files, from the course as it is now.

- `imsmanifest.xml` (IMS CP 1.2 with the CC 1.3 profile): LOM metadata (title, language, description), one
  organisation (rooted-hierarchy: modules are folders, lessons are items) and one resource per lesson.
- Text lessons are web content (`lessons/lesson-<id>/index.html`, the sanitised HTML the learners read).
- File and video lessons: the file travels in the cartridge (`lessons/lesson-<id>/<filename>`) with a page
  linking it, up to CARTRIDGE_EMBED_MAX_BYTES; a larger one becomes a web link (`imswl_xmlv1p3`) to the lesson on
  the organisation's site.
- Quizzes are QTI 1.2 assessments in the CC profile (`imsqti_xmlv1p2/imscc_xmlv1p3/assessment`): single choice,
  true/false, multiple response and short text (fill in the blank) keep their right answers; numeric questions
  become fill-in-the-blank with the exact answer; matching has no CC question type and is exported as an essay
  with its pairs in the text, so nothing is lost.

The namespaces and schema locations are those of the CC 1.3 profile XSDs (imsglobal.org/profile/cc/ccv1p3)."""

from __future__ import annotations

import html
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree as ET

NS_CP = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
NS_LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
NS_LOM_RESOURCE = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_WEBLINK = "http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"
NS_QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
SCHEMA_LOCATIONS = {
    NS_CP: "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd",
    NS_LOM_MANIFEST: "http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lommanifest_v1p0.xsd",
    NS_LOM_RESOURCE: "http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lomresource_v1p0.xsd",
}
WEBLINK_LOCATION = "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imswl_v1p3.xsd"
QTI_LOCATION = "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_qtiasiv1p2p1_v1p0.xsd"
TYPE_WEBCONTENT = "webcontent"
TYPE_WEBLINK = "imswl_xmlv1p3"
TYPE_ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p3/assessment"

ET.register_namespace("lomimscc", NS_LOM_MANIFEST)
ET.register_namespace("lom", NS_LOM_RESOURCE)
ET.register_namespace("xsi", NS_XSI)


@dataclass
class MediaFile:
    filename: str
    size: int
    content_type: str
    open: Callable[[], IO[bytes]]  # the object's bytes, streamed from storage


@dataclass
class LessonData:
    id: int
    title: str
    kind: str  # text, video, file, quiz
    body_html: str = ""
    url: str = ""  # the lesson on the organisation's site
    media: MediaFile | None = None
    max_attempts: int = 0
    questions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ModuleData:
    id: int
    title: str
    lessons: list[LessonData]


@dataclass
class CourseData:
    id: int
    title: str
    summary: str
    language: str
    url: str
    modules: list[ModuleData]


def _q(tag: str, ns: str = NS_CP) -> str:
    return f"{{{ns}}}{tag}"


_SERIALISE = threading.Lock()


def _xml(root: ET.Element, *, default_namespace: str) -> bytes:
    """The document with `default_namespace` unprefixed (ElementTree's `default_namespace=` option refuses
    unqualified attributes, which CC uses throughout; the registry of prefixes is global, hence the lock)."""
    ET.indent(root)
    with _SERIALISE:
        ET.register_namespace("", default_namespace)
        text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode()


def _page(*, title: str, body: str, language: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n"
            "</body></html>\n").encode()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A file name safe in a zip and a URL (no folder, no space)."""
    cleaned = _UNSAFE.sub("-", name.rsplit("/", 1)[-1]).strip(".-")
    return cleaned[:100] or "file"


def _weblink(*, title: str, url: str) -> bytes:
    root = ET.Element(_q("webLink", NS_WEBLINK))
    root.set(_q("schemaLocation", NS_XSI), f"{NS_WEBLINK} {WEBLINK_LOCATION}")
    ET.SubElement(root, _q("title", NS_WEBLINK)).text = title
    ET.SubElement(root, _q("url", NS_WEBLINK), {"href": url, "target": "_blank"})
    return _xml(root, default_namespace=NS_WEBLINK)


# --- QTI 1.2 (CC profile) -------------------------------------------------------------------------------------


def _field(parent: ET.Element, label: str, entry: str) -> None:
    node = ET.SubElement(parent, _q("qtimetadatafield", NS_QTI))
    ET.SubElement(node, _q("fieldlabel", NS_QTI)).text = label
    ET.SubElement(node, _q("fieldentry", NS_QTI)).text = entry


def _material(parent: ET.Element, text: str) -> None:
    material = ET.SubElement(parent, _q("material", NS_QTI))
    ET.SubElement(material, _q("mattext", NS_QTI), {"texttype": "text/plain"}).text = text


def _qti_item(section: ET.Element, question: dict[str, Any]) -> None:
    kind = question["kind"]
    profile = {"single": "cc.multiple_choice.v0p1", "true_false": "cc.true_false.v0p1",
               "multiple": "cc.multiple_response.v0p1", "short": "cc.fib.v0p1",
               "numeric": "cc.fib.v0p1"}.get(kind, "cc.essay.v0p1")
    ident = f"question-{question['id']}"
    item = ET.SubElement(section, _q("item", NS_QTI), {"ident": ident, "title": question["text"][:80]})
    metadata = ET.SubElement(ET.SubElement(item, _q("itemmetadata", NS_QTI)), _q("qtimetadata", NS_QTI))
    _field(metadata, "cc_profile", profile)
    presentation = ET.SubElement(item, _q("presentation", NS_QTI))
    text = question["text"]
    if kind == "matching":  # no CC type: the pairs go into the text of an essay question
        text += "\n" + "\n".join(f"- {c['text']} → {c['match_text']}" for c in question["choices"])
    _material(presentation, text)
    processing = None
    if profile in ("cc.multiple_choice.v0p1", "cc.true_false.v0p1", "cc.multiple_response.v0p1"):
        cardinality = "Multiple" if kind == "multiple" else "Single"
        response = ET.SubElement(presentation, _q("response_lid", NS_QTI),
                                 {"ident": "response1", "rcardinality": cardinality})
        render = ET.SubElement(response, _q("render_choice", NS_QTI))
        for choice in question["choices"]:
            label = ET.SubElement(render, _q("response_label", NS_QTI), {"ident": f"choice-{choice['id']}"})
            _material(label, choice["text"])
        processing = ET.SubElement(item, _q("resprocessing", NS_QTI))
        condition = ET.SubElement(processing, _q("respcondition", NS_QTI), {"continue": "No"})
        variables = ET.SubElement(condition, _q("conditionvar", NS_QTI))
        target = ET.SubElement(variables, _q("and", NS_QTI)) if kind == "multiple" else variables
        for choice in question["choices"]:
            if choice["is_correct"]:
                ET.SubElement(target, _q("varequal", NS_QTI), {"respident": "response1"}).text = \
                    f"choice-{choice['id']}"
            elif kind == "multiple":
                negation = ET.SubElement(target, _q("not", NS_QTI))
                ET.SubElement(negation, _q("varequal", NS_QTI), {"respident": "response1"}).text = \
                    f"choice-{choice['id']}"
    elif profile == "cc.fib.v0p1":
        response = ET.SubElement(presentation, _q("response_str", NS_QTI),
                                 {"ident": "response1", "rcardinality": "Single"})
        ET.SubElement(response, _q("render_fib", NS_QTI), {"rows": "1"})
        answers = question["accepted_answers"] if kind == "short" else [question["numeric_answer"]]
        processing = ET.SubElement(item, _q("resprocessing", NS_QTI))
        condition = ET.SubElement(processing, _q("respcondition", NS_QTI), {"continue": "No"})
        variables = ET.SubElement(condition, _q("conditionvar", NS_QTI))
        for answer in answers:
            ET.SubElement(variables, _q("varequal", NS_QTI), {"respident": "response1", "case": "No"}).text = answer
    else:
        response = ET.SubElement(presentation, _q("response_str", NS_QTI),
                                 {"ident": "response1", "rcardinality": "Single"})
        ET.SubElement(response, _q("render_fib", NS_QTI), {"rows": "5"})
    if processing is not None:
        outcomes = ET.Element(_q("outcomes", NS_QTI))
        ET.SubElement(outcomes, _q("decvar", NS_QTI), {"varname": "SCORE", "vartype": "Decimal", "minvalue": "0",
                                                       "maxvalue": "100"})
        processing.insert(0, outcomes)
        ET.SubElement(condition, _q("setvar", NS_QTI), {"varname": "SCORE", "action": "Set"}).text = "100"
    if question.get("explanation"):
        feedback = ET.SubElement(item, _q("itemfeedback", NS_QTI), {"ident": "general_fb"})
        flow = ET.SubElement(feedback, _q("flow_mat", NS_QTI))
        _material(flow, question["explanation"])


def assessment_xml(*, lesson: LessonData) -> bytes:
    root = ET.Element(_q("questestinterop", NS_QTI))
    root.set(_q("schemaLocation", NS_XSI), f"{NS_QTI} {QTI_LOCATION}")
    assessment = ET.SubElement(root, _q("assessment", NS_QTI),
                               {"ident": f"assessment-{lesson.id}", "title": lesson.title})
    metadata = ET.SubElement(assessment, _q("qtimetadata", NS_QTI))
    _field(metadata, "cc_profile", "cc.exam.v0p1")
    _field(metadata, "qmd_assessmenttype", "Examination")
    _field(metadata, "cc_maxattempts", str(lesson.max_attempts) if lesson.max_attempts else "unlimited")
    section = ET.SubElement(assessment, _q("section", NS_QTI), {"ident": "root_section"})
    for question in lesson.questions:
        _qti_item(section, question)
    return _xml(root, default_namespace=NS_QTI)


# --- Manifest and zip -----------------------------------------------------------------------------------------


def _lom_string(parent: ET.Element, tag: str, text: str, language: str) -> None:
    node = ET.SubElement(parent, _q(tag, NS_LOM_MANIFEST))
    ET.SubElement(node, _q("string", NS_LOM_MANIFEST), {"language": language}).text = text


def cartridge_write(*, course: CourseData, out: IO[bytes], embed_max_bytes: int,
                    progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Write the cartridge (a zip) of `course` into `out`. `progress(done, total)` is called after each lesson.
    Returns the names of the files written, the manifest first."""
    manifest = ET.Element(_q("manifest"), {"identifier": f"course-{course.id}"})
    manifest.set(_q("schemaLocation", NS_XSI), " ".join(f"{ns} {loc}" for ns, loc in SCHEMA_LOCATIONS.items()
                                                        if ns != NS_LOM_RESOURCE))
    metadata = ET.SubElement(manifest, _q("metadata"))
    ET.SubElement(metadata, _q("schema")).text = "IMS Common Cartridge"
    ET.SubElement(metadata, _q("schemaversion")).text = "1.3.0"
    general = ET.SubElement(ET.SubElement(metadata, _q("lom", NS_LOM_MANIFEST)), _q("general", NS_LOM_MANIFEST))
    _lom_string(general, "title", course.title, course.language)
    ET.SubElement(general, _q("language", NS_LOM_MANIFEST)).text = course.language
    if course.summary:
        _lom_string(general, "description", course.summary, course.language)
    organization = ET.SubElement(ET.SubElement(manifest, _q("organizations")), _q("organization"),
                                 {"identifier": "organization", "structure": "rooted-hierarchy"})
    root_item = ET.SubElement(organization, _q("item"), {"identifier": "root"})
    resources = ET.SubElement(manifest, _q("resources"))
    total = sum(len(m.lessons) for m in course.modules)
    done = 0
    names: list[str] = ["imsmanifest.xml"]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def write(name: str, data: bytes) -> None:
            archive.writestr(name, data)
            names.append(name)

        for module in course.modules:
            folder = ET.SubElement(root_item, _q("item"), {"identifier": f"module-{module.id}"})
            ET.SubElement(folder, _q("title")).text = module.title
            for lesson in module.lessons:
                resource_id = f"resource-lesson-{lesson.id}"
                item = ET.SubElement(folder, _q("item"), {"identifier": f"item-lesson-{lesson.id}",
                                                          "identifierref": resource_id})
                ET.SubElement(item, _q("title")).text = lesson.title
                for kind, href, files in _lesson_files(lesson=lesson, course=course, write=write, archive=archive,
                                                       names=names, embed_max_bytes=embed_max_bytes):
                    attributes = {"identifier": resource_id, "type": kind}
                    if kind == TYPE_WEBCONTENT:
                        attributes["href"] = href
                    resource = ET.SubElement(resources, _q("resource"), attributes)
                    for name in files:
                        ET.SubElement(resource, _q("file"), {"href": name})
                done += 1
                if progress is not None:
                    progress(done, total)
        archive.writestr("imsmanifest.xml", _xml(manifest, default_namespace=NS_CP))
    return names


def _lesson_files(*, lesson: LessonData, course: CourseData, write: Callable[[str, bytes], None],
                  archive: zipfile.ZipFile, names: list[str], embed_max_bytes: int
                  ) -> Iterator[tuple[str, str, list[str]]]:
    """Write one lesson's files; yields its resource (type, href, files)."""
    folder = f"lessons/lesson-{lesson.id}"
    if lesson.kind == "quiz":
        name = f"{folder}/assessment.xml"
        write(name, assessment_xml(lesson=lesson))
        yield TYPE_ASSESSMENT, name, [name]
        return
    media = lesson.media
    if lesson.kind in ("video", "file") and media is not None and media.size > embed_max_bytes:
        name = f"{folder}/weblink.xml"
        write(name, _weblink(title=lesson.title, url=lesson.url))
        yield TYPE_WEBLINK, name, [name]
        return
    body = lesson.body_html
    files = [f"{folder}/index.html"]
    if media is not None and lesson.kind in ("video", "file"):
        media_name = f"{folder}/{safe_filename(media.filename)}"
        with media.open() as source, archive.open(media_name, "w", force_zip64=True) as target:
            while chunk := source.read(1024 * 1024):
                target.write(chunk)
        names.append(media_name)
        files.append(media_name)
        relative = html.escape(media_name.rsplit("/", 1)[1])
        if lesson.kind == "video":
            body += (f'\n<video controls src="{relative}" type="{html.escape(media.content_type)}"></video>'
                     f'\n<p><a href="{relative}">{html.escape(media.filename)}</a></p>')
        else:
            body += f'\n<p><a href="{relative}">{html.escape(media.filename)}</a></p>'
    write(files[0], _page(title=lesson.title, body=body, language=course.language))
    yield TYPE_WEBCONTENT, files[0], files
