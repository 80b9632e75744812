"""SCORM packages the tests build (issue 14 item 6): imsmanifest.xml and one HTML SCO whose script calls the
runtime's API as real authoring tools do: SCORM 1.2 (LMSInitialize, LMSSetValue cmi.core.lesson_status and score,
LMSCommit, LMSFinish) or SCORM 2004 (Initialize, SetValue cmi.completion_status, success_status, score.scaled,
Commit, Terminate). On load the SCO shows what it resumed from (location, suspend data, entry), then stores a new
location and suspend data and commits; its "Finish" button reports the result and finishes."""

from __future__ import annotations

import io
import posixpath
import uuid
import zipfile
from typing import Any

MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test-12" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{title}</title>
    <item identifier="item1" identifierref="res1"><title>Lesson one</title></item>
  </organization></organizations>
  <resources><resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="{href}">
    <file href="{href}"/></resource></resources>
</manifest>"""

MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="test-2004" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{title}</title>
    <item identifier="item1" identifierref="res1"><title>Lesson one</title></item>
  </organization></organizations>
  <resources><resource identifier="res1" type="webcontent" adlcp:scormType="sco" href="{href}">
    <file href="{href}"/></resource></resources>
</manifest>"""

SCO_12 = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCO 1.2</title>
<link rel="stylesheet" href="style.css"></head>
<body><h1>Mini SCO 1.2</h1><p id="state">loading</p><button id="finish" type="button">Finish</button>
<script>
function findAPI(win) { for (var n = 0; win && n < 10; n++) { if (win.API) { return win.API; }
  if (win.parent === win) { break; } win = win.parent; } return null; }
var api = findAPI(window.parent);
var state = document.getElementById("state");
if (!api) { state.textContent = "no API"; } else {
  api.LMSInitialize("");
  state.textContent = "location=" + api.LMSGetValue("cmi.core.lesson_location") + ";suspend=" +
    api.LMSGetValue("cmi.suspend_data") + ";entry=" + api.LMSGetValue("cmi.core.entry") + ";name=" +
    api.LMSGetValue("cmi.core.student_name");
  api.LMSSetValue("cmi.core.lesson_location", "page-2");
  api.LMSSetValue("cmi.suspend_data", "visited=1,2");
  api.LMSSetValue("cmi.core.lesson_status", "incomplete");
  api.LMSSetValue("cmi.core.exit", "suspend");
  state.textContent += ";commit=" + api.LMSCommit("");
  document.getElementById("finish").addEventListener("click", function () {
    api.LMSSetValue("cmi.core.score.raw", "85");
    api.LMSSetValue("cmi.core.score.min", "0");
    api.LMSSetValue("cmi.core.score.max", "100");
    api.LMSSetValue("cmi.core.lesson_status", "passed");
    var committed = api.LMSCommit("");
    var finished = api.LMSFinish("");
    state.textContent += ";final-commit=" + committed + ";finish=" + finished;
  });
}
</script></body></html>"""

SCO_2004 = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCO 2004</title></head>
<body><h1>Mini SCO 2004</h1><p id="state">loading</p><button id="finish" type="button">Finish</button>
<script src="js/sco.js"></script></body></html>"""

SCO_2004_JS = """
function findAPI(win) { for (var n = 0; win && n < 10; n++) { if (win.API_1484_11) { return win.API_1484_11; }
  if (win.parent === win) { break; } win = win.parent; } return null; }
var api = findAPI(window.parent);
var state = document.getElementById("state");
if (!api) { state.textContent = "no API"; } else {
  api.Initialize("");
  state.textContent = "location=" + api.GetValue("cmi.location") + ";suspend=" + api.GetValue("cmi.suspend_data") +
    ";entry=" + api.GetValue("cmi.entry");
  api.SetValue("cmi.location", "slide-3");
  api.SetValue("cmi.suspend_data", "answers=a,b");
  api.SetValue("cmi.completion_status", "incomplete");
  api.SetValue("cmi.exit", "suspend");
  state.textContent += ";commit=" + api.Commit("");
  document.getElementById("finish").addEventListener("click", function () {
    api.SetValue("cmi.score.scaled", "0.9");
    api.SetValue("cmi.score.raw", "90");
    api.SetValue("cmi.completion_status", "completed");
    api.SetValue("cmi.success_status", "passed");
    var committed = api.Commit("");
    var finished = api.Terminate("");
    state.textContent += ";final-commit=" + committed + ";finish=" + finished;
  });
}
"""


def scorm_zip(*, version: str = "1.2", title: str = "Mini package", href: str = "index.html",
              extra: dict[str, bytes] | None = None, manifest: str | None = None, launch: bool = True) -> bytes:
    """A SCORM package's zip: the manifest, the SCO at `href` (with a stylesheet, or a script file for 2004)."""
    files: dict[str, bytes] = {}
    if manifest is None:
        manifest = (MANIFEST_12 if version == "1.2" else MANIFEST_2004).format(title=title, href=href)
    files["imsmanifest.xml"] = manifest.encode()
    if launch:
        files[href] = (SCO_12 if version == "1.2" else SCO_2004).encode()
    if version == "1.2":
        files["style.css"] = b"body { font-family: sans-serif; }"
    else:
        files[posixpath.join(posixpath.dirname(href), "js/sco.js")] = SCO_2004_JS.encode()  # beside the SCO
    files.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def scorm_lesson_ready(*, course: Any, actor: Any, version: str = "1.2", title: str = "SCORM") -> tuple[Any, Any]:
    """In the current schema: a SCORM lesson at the end of `course`'s first module with a package unpacked now (by
    the service the Celery task runs, called here); returns (lesson, package)."""
    from django.db import connection
    from django.utils import timezone

    from courses import services
    from courses.models import Lesson, MediaUpload, ScormPackage
    from mooc_platform import storage

    lesson = services.lesson_create(module=course.modules.order_by("position", "id").first(), title=title,
                                    kind=Lesson.Kind.SCORM)
    data = scorm_zip(version=version)
    key = f"{storage.tenant_prefix(schema_name=connection.schema_name)}media/scorm/{uuid.uuid4().hex}/package.zip"
    storage.object_put(key=key, body=data, content_type="application/zip")
    upload = MediaUpload.objects.create(key=key, purpose=MediaUpload.Purpose.SCORM, filename="package.zip",
                                        content_type="application/zip", declared_size=len(data), size=len(data),
                                        confirmed_at=timezone.now(), created_by=actor)
    storage.storage_usage_add(delta_bytes=len(data))
    package = ScormPackage.objects.create(lesson=lesson, upload=upload, filename="package.zip", created_by=actor)
    services.scorm_package_unpack(package_id=package.pk)
    package.refresh_from_db()
    assert package.status == ScormPackage.Status.READY, package.error
    return lesson, package
