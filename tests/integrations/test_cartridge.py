"""Course content out as IMS Common Cartridge 1.3 (issue 17 item 5): the zip stored on S3 validates structurally
(the manifest parses in the CC 1.3 namespaces with their schema locations, every item points to a resource, every
file a resource names is in the zip and every file of the zip is named, web content, web links and QTI
assessments are what their type says, the right answers survive); the API and the page for course staff only.

The official CC 1.3 XSDs (imsglobal.org/profile/cc/ccv1p3) are not published in any package or repository this
build can fetch without the network, so these checks are structural."""

from __future__ import annotations

import io
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from courses import services as course_services
from courses.models import Course, Lesson, MediaUpload
from integrations.cartridge import (
    NS_CP,
    NS_LOM_MANIFEST,
    NS_QTI,
    NS_WEBLINK,
    NS_XSI,
    SCHEMA_LOCATIONS,
    TYPE_ASSESSMENT,
    TYPE_WEBCONTENT,
    TYPE_WEBLINK,
)
from integrations.models import CartridgeExport
from integrations.services.cartridges import cartridge_export_build, cartridge_export_request
from mooc_platform import storage
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique

HOST = "demo.localhost"
PDF = b"%PDF-1.4 handout " + bytes(range(256)) * 4
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"v" * 5000


def _upload(*, schema_name: str, purpose: str, filename: str, body: bytes, content_type: str,
            author: User) -> MediaUpload:
    key = f"{storage.tenant_prefix(schema_name=schema_name)}media/{purpose}/{unique()}/{filename}"
    storage.object_put(key=key, body=body, content_type=content_type)
    return MediaUpload.objects.create(key=key, purpose=purpose, filename=filename, content_type=content_type,
                                      declared_size=len(body), size=len(body), confirmed_at=timezone.now(),
                                      created_by=author)


def _course(schema_name: str) -> Course:
    """A course with a text lesson, a PDF, a video (larger than the embedding limit of the test) and a quiz of
    every question kind."""
    author = UserFactory(role="instructor")
    course = CourseFactory(author=author, quiz=False, title="Statistics & <Data>", summary="Learn to count.")
    module = course.modules.get()
    second = course_services.module_create(course=course, title="Week 2")
    pdf = _upload(schema_name=schema_name, purpose="file", filename="Hand out (v2).pdf", body=PDF,
                  content_type="application/pdf", author=author)
    course_services.lesson_create(module=module, title="Handout", kind=Lesson.Kind.FILE, media_upload_id=pdf.pk)
    video = _upload(schema_name=schema_name, purpose="video", filename="lecture.mp4", body=VIDEO,
                    content_type="video/mp4", author=author)
    course_services.lesson_create(module=second, title="Lecture", kind=Lesson.Kind.VIDEO, media_upload_id=video.pk)
    quiz = course_services.lesson_create(module=second, title="Check", kind=Lesson.Kind.QUIZ, max_attempts=2)
    course_services.question_create(lesson=quiz, text="Capital of France?", kind="single",
                                    explanation="Since 987.",
                                    choices=[{"text": "Paris", "is_correct": True}, {"text": "Lyon"}])
    course_services.question_create(lesson=quiz, text="Even numbers?", kind="multiple",
                                    choices=[{"text": "2", "is_correct": True}, {"text": "3"},
                                             {"text": "8", "is_correct": True}])
    course_services.question_create(lesson=quiz, text="The sky is blue.", kind="true_false",
                                    choices=[{"text": "True", "is_correct": True}, {"text": "False"}])
    course_services.question_create(lesson=quiz, text="Author of Les Misérables?", kind="short",
                                    accepted_answers=["Victor Hugo", "Hugo"])
    course_services.question_create(lesson=quiz, text="π to two decimals?", kind="numeric", numeric_answer="3.14",
                                    numeric_tolerance="0.01")
    course_services.question_create(lesson=quiz, text="Match", kind="matching",
                                    choices=[{"text": "France", "match_text": "Paris"},
                                             {"text": "Italy", "match_text": "Rome"}])
    return course


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from integrations.services import cartridges

    ids: list[int] = []
    monkeypatch.setattr(cartridges, "_queue", lambda *, schema_name, export_id: ids.append(export_id))
    return ids


def _built(demo: Tenant, queued: list[int], capture, settings) -> tuple[Course, CartridgeExport, zipfile.ZipFile]:
    settings.CARTRIDGE_EMBED_MAX_BYTES = 4096  # the PDF travels in the cartridge, the video becomes a link
    with schema_context(demo.schema_name):
        course = _course(demo.schema_name)
        with capture(execute=True):
            export = cartridge_export_request(course=course, actor=User.objects.get(email="admin@demo.test"))
        assert queued == [export.pk] and export.status == "queued"
        built = cartridge_export_build(export_id=export.pk)
        assert built is not None
        archive = zipfile.ZipFile(io.BytesIO(storage.object_get(key=built.key)))
    return course, built, archive


def _q(tag: str, ns: str = NS_CP) -> str:
    return f"{{{ns}}}{tag}"


def test_the_cartridge_validates_structurally(demo: Tenant, queued: list[int], django_capture_on_commit_callbacks,
                                              settings) -> None:
    course, export, archive = _built(demo, queued, django_capture_on_commit_callbacks, settings)
    assert (export.status, export.progress, export.error) == ("ready", 100, "")
    assert export.key == f"tenants/{demo.schema_name}/cartridges/{course.pk}/{export.pk}.imscc"
    assert export.size == len(storage.object_get(key=export.key))
    assert archive.testzip() is None
    names = set(archive.namelist())

    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == _q("manifest")
    locations = manifest.get(_q("schemaLocation", NS_XSI)).split()
    assert dict(zip(locations[::2], locations[1::2], strict=True)) == {
        NS_CP: SCHEMA_LOCATIONS[NS_CP], NS_LOM_MANIFEST: SCHEMA_LOCATIONS[NS_LOM_MANIFEST]}
    assert SCHEMA_LOCATIONS[NS_CP] == "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd"
    metadata = manifest.find(_q("metadata"))
    assert metadata.findtext(_q("schema")) == "IMS Common Cartridge"
    assert metadata.findtext(_q("schemaversion")) == "1.3.0"
    general = metadata.find(f"{_q('lom', NS_LOM_MANIFEST)}/{_q('general', NS_LOM_MANIFEST)}")
    title = general.find(f"{_q('title', NS_LOM_MANIFEST)}/{_q('string', NS_LOM_MANIFEST)}")
    assert (title.text, title.get("language")) == ("Statistics & <Data>", course.language)

    # One organisation, rooted: a root item, a folder item per module, an item per lesson naming its resource.
    organizations = manifest.find(_q("organizations")).findall(_q("organization"))
    assert len(organizations) == 1 and organizations[0].get("structure") == "rooted-hierarchy"
    (root,) = organizations[0].findall(_q("item"))
    folders = root.findall(_q("item"))
    assert [f.findtext(_q("title")) for f in folders] == ["Week 1", "Week 2"]
    lessons = [(i.findtext(_q("title")), i.get("identifierref")) for f in folders for i in f.findall(_q("item"))]
    assert [t for t, _ in lessons] == ["Reading", "Handout", "Lecture", "Check"]

    resources = {r.get("identifier"): r for r in manifest.find(_q("resources")).findall(_q("resource"))}
    assert sorted(ref for _, ref in lessons) == sorted(resources)
    identifiers = [e.get("identifier") for e in manifest.iter() if e.get("identifier")]
    assert len(identifiers) == len(set(identifiers))  # identifiers are unique in the manifest
    referenced = set()
    for resource in resources.values():
        files = [f.get("href") for f in resource.findall(_q("file"))]
        assert files and set(files) <= names, resource.get("identifier")
        if resource.get("type") == TYPE_WEBCONTENT:
            assert resource.get("href") in files
        referenced.update(files)
    assert names - {"imsmanifest.xml"} == referenced  # nothing in the zip that the manifest does not name
    kinds = {title: resources[ref].get("type") for title, ref in lessons}
    assert kinds == {"Reading": TYPE_WEBCONTENT, "Handout": TYPE_WEBCONTENT, "Lecture": TYPE_WEBLINK,
                     "Check": TYPE_ASSESSMENT}

    def files_of(title: str) -> list[str]:
        return [f.get("href") for f in resources[dict(lessons)[title]].findall(_q("file"))]

    reading = archive.read(files_of("Reading")[0]).decode()
    assert "<h1>Reading</h1>\nHello\n<p><strong>bold</strong></p>" in reading  # the sanitised HTML learners read
    page, pdf = files_of("Handout")
    assert pdf.endswith("/Hand-out-v2-.pdf") and archive.read(pdf) == PDF
    assert 'href="Hand-out-v2-.pdf"' in archive.read(page).decode()

    link = ET.fromstring(archive.read(files_of("Lecture")[0]))
    assert link.tag == _q("webLink", NS_WEBLINK) and link.findtext(_q("title", NS_WEBLINK)) == "Lecture"
    lecture = Lesson.objects.none()
    with schema_context(demo.schema_name):
        lecture = Lesson.objects.get(module__course=course, title="Lecture")
    assert link.find(_q("url", NS_WEBLINK)).get("href").endswith(f"/courses/{course.slug}/lessons/{lecture.pk}/")


def test_quizzes_are_qti_with_their_right_answers(demo: Tenant, queued: list[int], django_capture_on_commit_callbacks,
                                                  settings) -> None:
    _, _, archive = _built(demo, queued, django_capture_on_commit_callbacks, settings)
    (name,) = [n for n in archive.namelist() if n.endswith("assessment.xml")]
    qti = ET.fromstring(archive.read(name))
    assert qti.tag == _q("questestinterop", NS_QTI)
    assert qti.get(_q("schemaLocation", NS_XSI)).split()[0] == NS_QTI
    assessment = qti.find(_q("assessment", NS_QTI))
    fields = {f.findtext(_q("fieldlabel", NS_QTI)): f.findtext(_q("fieldentry", NS_QTI))
              for f in assessment.find(_q("qtimetadata", NS_QTI)).findall(_q("qtimetadatafield", NS_QTI))}
    assert fields == {"cc_profile": "cc.exam.v0p1", "qmd_assessmenttype": "Examination", "cc_maxattempts": "2"}
    items = assessment.find(_q("section", NS_QTI)).findall(_q("item", NS_QTI))

    def profile(item: ET.Element) -> str:
        return item.find(f".//{_q('fieldentry', NS_QTI)}").text

    def labels(item: ET.Element) -> dict[str, str]:
        return {label.get("ident"): label.findtext(f".//{_q('mattext', NS_QTI)}")
                for label in item.iter(_q("response_label", NS_QTI))}

    def right(item: ET.Element) -> list[str]:
        condition = item.find(f".//{_q('conditionvar', NS_QTI)}")
        positive = condition.find(_q("and", NS_QTI)) if condition.find(_q("and", NS_QTI)) is not None else condition
        return [v.text for v in positive.findall(_q("varequal", NS_QTI))]

    assert [profile(i) for i in items] == ["cc.multiple_choice.v0p1", "cc.multiple_response.v0p1",
                                           "cc.true_false.v0p1", "cc.fib.v0p1", "cc.fib.v0p1", "cc.essay.v0p1"]
    single, multiple, true_false, short, numeric, matching = items
    assert [labels(single)[r] for r in right(single)] == ["Paris"]
    assert single.findtext(f".//{_q('itemfeedback', NS_QTI)}//{_q('mattext', NS_QTI)}") == "Since 987."
    assert [labels(multiple)[r] for r in right(multiple)] == ["2", "8"]
    assert [labels(multiple)[v.text] for v in multiple.iter(_q("varequal", NS_QTI))
            if v not in multiple.find(f".//{_q('and', NS_QTI)}")] == ["3"]  # a wrong choice: under `not`
    assert [labels(true_false)[r] for r in right(true_false)] == ["True"]
    assert right(short) == ["Victor Hugo", "Hugo"] and right(numeric) == ["3.14"]
    text = matching.findtext(f".//{_q('mattext', NS_QTI)}")
    assert "France → Paris" in text and "Italy → Rome" in text


def test_the_api_requests_follows_and_downloads_a_cartridge(demo: Tenant, queued: list[int],
                                                            django_capture_on_commit_callbacks) -> None:
    with schema_context(demo.schema_name):
        course = CourseFactory(author=UserFactory(role="instructor"), publish=False)
    api = client_for(HOST, "instructor@demo.test")
    with django_capture_on_commit_callbacks(execute=True):
        asked = api.post(f"/api/v1/courses/{course.pk}/cartridge-exports/")
    assert asked.status_code == 202
    body = asked.json()
    assert (body["status"], body["progress"], body["download_url"], body["course_id"]) == ("queued", 0, None,
                                                                                           course.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"/api/v1/courses/{course.pk}/cartridge-exports/")
    assert again.json()["id"] == body["id"]  # one at a time per course
    early = api.get(f"/api/v1/courses/{course.pk}/cartridge-exports/{body['id']}/download/")
    assert early.status_code == 409 and early.json()["error"]["code"] == "conflict"
    with schema_context(demo.schema_name):
        cartridge_export_build(export_id=body["id"])
    ready = api.get(f"/api/v1/courses/{course.pk}/cartridge-exports/{body['id']}/").json()
    assert (ready["status"], ready["progress"]) == ("ready", 100) and ready["size"] > 0
    assert ready["download_url"] == f"/api/v1/courses/{course.pk}/cartridge-exports/{body['id']}/download/"
    redirect = api.get(ready["download_url"])
    assert redirect.status_code == 302
    location = redirect["Location"]
    assert urlsplit(location).path.endswith(f"/cartridges/{course.pk}/{body['id']}.imscc")
    disposition = parse_qs(urlsplit(location).query)["response-content-disposition"][0]
    with schema_context(demo.schema_name):
        created = CartridgeExport.objects.get(pk=body["id"]).created_at
    assert disposition == f'attachment; filename="{course.slug}-{created:%Y%m%d-%H%M}.imscc"'
    with urllib.request.urlopen(location, timeout=10) as answer:  # the test S3 on loopback
        assert zipfile.ZipFile(io.BytesIO(answer.read())).namelist()[-1] == "imsmanifest.xml"
    listed = api.get(f"/api/v1/courses/{course.pk}/cartridge-exports/").json()
    assert [e["id"] for e in listed["results"]] == [body["id"]]


def test_learners_cannot_export_and_other_organisations_courses_do_not_exist(demo: Tenant, acme: Tenant,
                                                                            queued: list[int]) -> None:
    with schema_context(demo.schema_name):
        course = CourseFactory(author=UserFactory(role="instructor"))
    refused = client_for(HOST, "learner1@demo.test").post(f"/api/v1/courses/{course.pk}/cartridge-exports/")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    with schema_context(acme.schema_name):
        other = Course.objects.order_by("-pk").values_list("pk", flat=True).first()
    missing_id = max(course.pk, other or 0) + 1000
    missing = client_for(HOST, "instructor@demo.test").get(f"/api/v1/courses/{missing_id}/cartridge-exports/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert queued == []


def test_a_build_that_fails_keeps_the_reason(demo: Tenant, queued: list[int], monkeypatch,
                                             django_capture_on_commit_callbacks) -> None:
    from integrations.services import cartridges

    def unreachable(**kwargs: object) -> None:
        raise ConnectionError("S3 unreachable")

    monkeypatch.setattr(cartridges.storage, "object_upload", unreachable)
    with schema_context(demo.schema_name):
        course = CourseFactory(author=UserFactory(role="instructor"))
        export = cartridge_export_request(course=course, actor=User.objects.get(email="admin@demo.test"))
        failed = cartridge_export_build(export_id=export.pk)
        assert (failed.status, failed.error, failed.key) == ("failed", "S3 unreachable", "")
        assert cartridge_export_build(export_id=export.pk) is None  # built once, whatever the outcome


def test_the_page_shows_the_progress_and_refreshes_while_building(demo: Tenant, demo_client, queued: list[int],
                                                                  django_capture_on_commit_callbacks) -> None:
    with schema_context(demo.schema_name):
        course = CourseFactory(author=UserFactory(role="instructor"))
        demo_client.force_login(User.objects.get(email="instructor@demo.test"))
    empty = demo_client.get(f"/teach/courses/{course.pk}/cartridge/").content.decode()
    assert "No export yet." in empty and 'http-equiv="refresh"' not in empty
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_client.post(f"/teach/courses/{course.pk}/cartridge/").status_code == 302
    with schema_context(demo.schema_name):
        export = CartridgeExport.objects.get(course=course)
        CartridgeExport.objects.filter(pk=export.pk).update(status="building", progress=40)
    html = demo_client.get(f"/teach/courses/{course.pk}/cartridge/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert f'<progress id="progress-{export.pk}" max="100" value="40"' in html and "building" in html
    early = demo_client.get(f"/teach/courses/{course.pk}/cartridge/{export.pk}/download/")
    assert early.status_code == 302 and early["Location"] == f"/teach/courses/{course.pk}/cartridge/"
    with schema_context(demo.schema_name):
        demo_client.force_login(User.objects.get(email="learner1@demo.test"))
    assert demo_client.get(f"/teach/courses/{course.pk}/cartridge/").status_code in (302, 403)
