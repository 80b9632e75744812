"""SCORM 1.2 and 2004 packages as lessons (issue 14 item 6).

An instructor uploads the package's zip to S3 like any media (purpose "scorm", `media_upload_sign`), then
`scorm_package_import` queues its unpacking: a Celery task (`scorm_package_unpack`) checks the zip as hostile input
(size once unpacked, number of files, paths, the manifest), reads the SCORM version and the launch file of the
default organisation's first SCO from `imsmanifest.xml`, and writes every file under the tenant's prefix
(`tenants/<schema>/scorm/<uuid>/`). The unpacked bytes count in the storage quota through a MediaUpload whose key is
that folder, attached as the lesson's media: deleting the lesson (or its course) deletes the folder and gives its
bytes back, as for a video.

The player serves the files from the app's own origin (`scorm_file_open`), so the SCO finds the runtime's API
(scorm-again) in its parent window; the runtime commits the `cmi` data of the learner's attempt
(`scorm_attempt_commit`), and a completed or passed attempt completes the lesson, which moves the course progress
and may earn the certificate like any other lesson."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
import posixpath
import re
import stat
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mooc_platform import storage
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError, ForbiddenError, NotFoundError

from ..errors import Code, UploadRefusedError
from ..models import Certificate, Enrollment, Lesson, MediaUpload, ScormAttempt, ScormPackage
from .branding import tenant_limits
from .learning import _completion_record, enrollment_for
from .media import MB, media_delete

logger = logging.getLogger(__name__)

MANIFEST = "imsmanifest.xml"
MANIFEST_MAX_BYTES = 2 * MB
COMMIT_MAX_BYTES = 256 * 1024
PATH_MAX_LENGTH = 500


def scorm_limits() -> tuple[int, int]:
    """(most files, most bytes once unpacked) a package may hold: COURSES_SCORM_MAX_FILES and
    COURSES_SCORM_MAX_UNPACKED_BYTES."""
    return (getattr(settings, "COURSES_SCORM_MAX_FILES", 5000),
            getattr(settings, "COURSES_SCORM_MAX_UNPACKED_BYTES", 1024 * MB))


# Why a package was refused: the code is stored, the message written in the reader's language when shown.
ERRORS: dict[str, Any] = {
    "not_zip": gettext_lazy("This file is not a zip archive."),
    "encrypted": gettext_lazy("The archive holds encrypted files: export the package without a password."),
    "too_many_files": gettext_lazy("The archive holds more than %(limit)s files."),
    "too_large": gettext_lazy("Once unpacked, the archive would take more than %(limit)s MB."),
    "unsafe_path": gettext_lazy("The archive holds a file with an unsafe name (absolute, or going up with “..”): "
                                "%(name)s."),
    "link": gettext_lazy("The archive holds a symbolic link (%(name)s): packages may hold files only."),
    "no_manifest": gettext_lazy("The archive has no imsmanifest.xml at its root: it is not a SCORM package."),
    "bad_manifest": gettext_lazy("The imsmanifest.xml file is not valid XML or not a SCORM manifest."),
    "unknown_version": gettext_lazy("The manifest declares no SCORM 1.2 or SCORM 2004 version."),
    "no_launch": gettext_lazy("The manifest names no SCO to launch (no item of the default organisation points "
                              "to a resource with a file)."),
    "launch_missing": gettext_lazy("The manifest launches %(name)s, which is not in the archive."),
    "storage_quota": gettext_lazy("The organisation's storage quota is used up: this package needs %(mb)s MB."),
    "storage": gettext_lazy("The package could not be stored: try again in a few minutes."),
}


def scorm_error_message(*, package: ScormPackage) -> str:
    """Why `package` was refused, in the current language ("" when it was not)."""
    if not package.error:
        return ""
    message = str(ERRORS.get(package.error, ERRORS["storage"]))
    try:
        return message % package.error_params if package.error_params else message
    except (KeyError, TypeError, ValueError):
        return message


class PackageRefused(Exception):  # a refusal of the input, not a failure of ours
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


# --- Import (the instructor) ----------------------------------------------------------------------------------


@transaction.atomic
def scorm_package_import(*, lesson: Lesson, upload_id: int | None, actor: User) -> ScormPackage:
    """Queue the unpacking of the zip `upload_id` (uploaded with the purpose "scorm") as the package of `lesson`.
    The lesson keeps its current package until the new one is ready."""
    if not actor.is_course_staff:
        raise ForbiddenError(_("Only instructors and administrators import SCORM packages."))
    if lesson.kind != Lesson.Kind.SCORM:
        raise ApplicationError(_("Only SCORM lessons hold a SCORM package."), code=Code.VALIDATION_ERROR)
    upload = (MediaUpload.objects.select_for_update()
              .filter(pk=upload_id, purpose=MediaUpload.Purpose.SCORM, confirmed_at__isnull=False).first()
              if upload_id is not None else None)
    if upload is None or ScormPackage.objects.filter(upload=upload).exists() or hasattr(upload, "lesson") \
            or upload.key.endswith("/"):
        raise UploadRefusedError(_("Upload the package's zip file first."))
    package = ScormPackage.objects.create(lesson=lesson, upload=upload, filename=upload.filename[:200],
                                          created_by=actor)
    schema_name = connection.schema_name

    def enqueue() -> None:
        from ..tasks import scorm_package_unpack as task

        task.delay(schema_name=schema_name, package_id=package.pk)

    transaction.on_commit(enqueue)
    return package


def scorm_package_current(*, lesson: Lesson) -> ScormPackage | None:
    """The package the lesson plays: its newest ready one."""
    return (ScormPackage.objects.filter(lesson=lesson, status=ScormPackage.Status.READY)
            .order_by("-created_at", "-id").first())


def scorm_package_latest(*, lesson: Lesson) -> ScormPackage | None:
    """The lesson's newest package, whatever its state (what the instructor follows)."""
    return ScormPackage.objects.filter(lesson=lesson).order_by("-created_at", "-id").first()


# --- Unpacking (the Celery task) --------------------------------------------------------------------------------


def _path_safe(name: str) -> str | None:
    """The archive member's path as stored ("a/b.html"), None when it is unsafe: absolute, a drive, a backslash,
    "..", control characters or too long. Folders end in "/" and are skipped by the caller."""
    if not name or len(name) > PATH_MAX_LENGTH or "\\" in name or "\x00" in name:
        return None
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or any(ord(c) < 32 for c in name):
        return None
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    return name


def _zip_members(archive: zipfile.ZipFile) -> tuple[list[zipfile.ZipInfo], int]:
    """The files of the archive, checked: (files, bytes once unpacked). Raises PackageRefused."""
    max_files, max_bytes = scorm_limits()
    infos = archive.infolist()
    if len(infos) > max_files:
        raise PackageRefused("too_many_files", limit=max_files)
    files, total = [], 0
    for info in infos:
        if _path_safe(info.filename) is None:
            raise PackageRefused("unsafe_path", name=info.filename[:100])
        if info.flag_bits & 0x1:
            raise PackageRefused("encrypted")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageRefused("link", name=info.filename[:100])
        if info.is_dir():
            continue
        total += info.file_size
        if total > max_bytes:
            raise PackageRefused("too_large", limit=max_bytes // MB)
        files.append(info)
    names = [i.filename for i in files]
    if len(set(names)) != len(names):
        raise PackageRefused("bad_manifest")
    return files, total


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str) and _local(child.tag) == name]


def _attr(element: Any, name: str) -> str:
    """An attribute by its local name, whatever its namespace (adlcp:scormtype, adlcp:scormType, xml:base)."""
    for key, value in element.attrib.items():
        if _local(key).lower() == name.lower():
            return value.strip()
    return ""


@dataclass
class Manifest:
    version: str
    title: str
    launch_path: str
    launch_query: str


def manifest_parse(*, data: bytes) -> Manifest:
    """The SCORM version, the title and the launch file of `imsmanifest.xml`, parsed with defusedxml (no DTD
    entity, no external reference). The launch file is the resource of the default organisation's first item
    pointing to one with a file (`href`, its `xml:base` folders applied; the item's `parameters` kept apart)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise PackageRefused("bad_manifest") from exc
    if _local(root.tag) != "manifest":
        raise PackageRefused("bad_manifest")
    namespaces = {_namespace(e.tag) for e in root.iter() if isinstance(e.tag, str)}
    namespaces |= {_namespace(k) for e in root.iter() if isinstance(e.tag, str) for k in e.attrib}
    schema_version = " ".join(e.text or "" for e in root.iter() if isinstance(e.tag, str)
                              and _local(e.tag) == "schemaversion").strip().lower()
    if schema_version == "1.2" or any("adlcp_rootv1p2" in ns for ns in namespaces):
        version = ScormPackage.Version.SCORM_12
    elif "2004" in schema_version or "cam 1.3" in schema_version or any(
            re.search(r"adlcp_v1p3|adlseq_v1p3|adlnav_v1p3|imsss", ns) for ns in namespaces):
        version = ScormPackage.Version.SCORM_2004
    else:
        raise PackageRefused("unknown_version")

    resources_el = next(iter(_children(root, "resources")), None)
    resources: dict[str, Any] = {}
    if resources_el is not None:
        for resource in _children(resources_el, "resource"):
            resources.setdefault(_attr(resource, "identifier"), resource)
    base_of_resources = _attr(resources_el, "base") if resources_el is not None else ""

    title, item_ref, parameters = "", None, ""
    organizations = next(iter(_children(root, "organizations")), None)
    if organizations is not None:
        all_orgs = _children(organizations, "organization")
        default = _attr(organizations, "default")
        chosen = next((o for o in all_orgs if _attr(o, "identifier") == default), all_orgs[0] if all_orgs else None)
        if chosen is not None:
            title = " ".join(" ".join((t.text or "").split()) for t in _children(chosen, "title")).strip()
            for item in chosen.iter():
                if not isinstance(item.tag, str) or _local(item.tag) != "item":
                    continue
                ref = _attr(item, "identifierref")
                resource = resources.get(ref)
                if ref and resource is not None and _attr(resource, "href"):
                    item_ref, parameters = resource, _attr(item, "parameters")
                    break
    if item_ref is None:  # no organisation: the first SCO resource with a file
        item_ref = next((r for r in resources.values() if _attr(r, "href")
                         and _attr(r, "scormtype").lower() == "sco"), None)
    if item_ref is None:
        raise PackageRefused("no_launch")
    href = _attr(item_ref, "href")
    path, _sep, query = href.partition("?")
    path = path.split("#", 1)[0]
    base = posixpath.join(base_of_resources, _attr(item_ref, "base")) if (base_of_resources or _attr(item_ref, "base"))\
        else ""
    launch = posixpath.normpath(posixpath.join(base, path)) if base else posixpath.normpath(path)
    if launch.startswith(("/", "../")) or launch == ".." or _path_safe(launch) is None:
        raise PackageRefused("unsafe_path", name=href[:100])
    parameters = parameters.lstrip("?&")
    launch_query = "&".join(p for p in (query, parameters) if p)
    return Manifest(version=version, title=title[:200], launch_path=launch, launch_query=launch_query[:1000])


class _Bounded:
    """A member's stream that refuses to give more than its declared size (zipfile stops there too)."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream, self.left = stream, limit

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size if size is not None and size >= 0 else self.left + 1)
        self.left -= len(data)
        if self.left < 0:
            raise PackageRefused("too_large", limit=scorm_limits()[1] // MB)
        return data


def _content_type(name: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return "text/javascript" if guessed in ("application/javascript", "application/x-javascript") else guessed


def _package_set(package_id: int, **fields: Any) -> None:
    fields["updated_at"] = timezone.now()
    ScormPackage.objects.filter(pk=package_id).update(**fields)


def scorm_package_unpack(*, package_id: int) -> str:
    """Check and unpack a queued package (the task's body); returns its final status. Idempotent: a package no
    longer pending is left as it is. A refusal is recorded on the package (shown to the instructor), never raised;
    the zip is deleted either way and a previous package of the lesson replaced once the new one is ready."""
    with transaction.atomic():
        package = (ScormPackage.objects.select_for_update(of=("self",)).select_related("upload")
                   .filter(pk=package_id).first())
        if package is None or package.status != ScormPackage.Status.PENDING:
            return package.status if package else ""
        package.status = ScormPackage.Status.PROCESSING
        package.save(update_fields=["status", "updated_at"])
    folder = f"{storage.tenant_prefix(schema_name=connection.schema_name)}scorm/{uuid.uuid4().hex}/"
    stored = False
    try:
        if package.upload is None:
            raise PackageRefused("not_zip")
        with tempfile.TemporaryFile() as local:
            with contextlib.closing(storage.object_stream(key=package.upload.key)) as body:
                while chunk := body.read(MB):
                    local.write(chunk)
            local.seek(0)
            try:
                archive = zipfile.ZipFile(local)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise PackageRefused("not_zip") from exc
            with archive:
                files, total = _zip_members(archive)
                if MANIFEST not in {i.filename for i in files}:
                    raise PackageRefused("no_manifest")
                manifest_info = archive.getinfo(MANIFEST)
                if manifest_info.file_size > MANIFEST_MAX_BYTES:
                    raise PackageRefused("bad_manifest")
                manifest = manifest_parse(data=archive.read(manifest_info))
                if manifest.launch_path not in {i.filename for i in files}:
                    raise PackageRefused("launch_missing", name=manifest.launch_path[:100])
                limits = tenant_limits()
                if limits.storage_used_bytes + total > limits.storage_quota_bytes:
                    raise PackageRefused("storage_quota", mb=max(1, -(-total // MB)))
                stored = True
                shown = 0
                for index, info in enumerate(files, start=1):
                    with archive.open(info) as member:
                        storage.object_upload(key=folder + info.filename, fileobj=_Bounded(member, info.file_size),
                                              content_type=_content_type(info.filename))
                    percent = index * 100 // len(files)
                    if percent >= shown + 5 or index == len(files):
                        shown = percent
                        _package_set(package_id, progress=min(percent, 99))
        _package_ready(package=package, folder=folder, manifest=manifest, files=len(files), total=total)
    except (PackageRefused, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        code = exc.code if isinstance(exc, PackageRefused) else "not_zip"
        params = exc.params if isinstance(exc, PackageRefused) else {}
        _package_refuse(package=package, folder=folder if stored else None, reason=code, params=params)
    except Exception:
        logger.exception("SCORM package %s could not be unpacked", package_id)
        _package_refuse(package=package, folder=folder if stored else None, reason="storage", params={})
    return ScormPackage.objects.filter(pk=package_id).values_list("status", flat=True).first() or ""


def _package_refuse(*, package: ScormPackage, folder: str | None, reason: str, params: dict[str, Any]) -> None:
    if folder:
        with contextlib.suppress(Exception):
            storage.folder_delete(prefix=folder)
    _package_set(package.pk, status=ScormPackage.Status.FAILED, error=reason, error_params=params, progress=0,
                 upload=None)
    _zip_delete(package=package)


def _zip_delete(*, package: ScormPackage) -> None:
    """Delete the package's zip once it is unpacked or refused (a storage error is logged: the reconciliation of
    the storage usage counts what stays)."""
    if package.upload is None:
        return
    try:
        media_delete(upload=package.upload)
    except Exception:
        logger.exception("the zip of SCORM package %s could not be deleted", package.pk)


def _package_ready(*, package: ScormPackage, folder: str, manifest: Manifest, files: int, total: int) -> None:
    """Count the unpacked bytes, make the package the lesson's (its media), drop the zip and the previous one."""
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update(of=("self",)).select_related("media").get(pk=package.lesson_id)
        content = MediaUpload.objects.create(
            key=folder, purpose=MediaUpload.Purpose.SCORM, filename=package.filename or "package.zip",
            content_type="application/zip", declared_size=total, size=total, confirmed_at=timezone.now(),
            created_by_id=package.created_by_id)
        storage.storage_usage_add(delta_bytes=total)
        _package_set(package.pk, status=ScormPackage.Status.READY, progress=100, content=content, upload=None,
                     version=manifest.version, title=manifest.title, launch_path=manifest.launch_path,
                     launch_query=manifest.launch_query, file_count=files, size=total, error="", error_params={})
        previous = lesson.media
        lesson.media = content
        lesson.save(update_fields=["media"])
        older = list(ScormPackage.objects.filter(lesson=lesson).exclude(pk=package.pk)
                     .exclude(status__in=[ScormPackage.Status.PENDING, ScormPackage.Status.PROCESSING]))
        for old in older:
            old.delete()
        if previous is not None:
            media_delete(upload=previous)
    _zip_delete(package=package)


# --- Playing (the learner) ----------------------------------------------------------------------------------------


def scorm_file_path_clean(*, path: str) -> str | None:
    """A path asked of a package's folder, or None when it could leave it."""
    return _path_safe(path)


def scorm_file_open(*, package: ScormPackage, path: str) -> tuple[Any, int, str] | None:
    """(stream, length, content type) of one file of a ready package, None when there is no such file."""
    clean = _path_safe(path)
    if clean is None or package.content is None or package.status != ScormPackage.Status.READY:
        return None
    key = package.content.key + clean
    client = storage.s3_client()
    try:
        answer = client.get_object(Bucket=storage.bucket_name(), Key=key)
    except client.exceptions.NoSuchKey:
        return None
    return answer["Body"], int(answer["ContentLength"]), _content_type(clean)


@transaction.atomic
def scorm_attempt_current(*, lesson: Lesson, user: User, now: datetime | None = None) -> ScormAttempt:
    """The learner's attempt that a launch resumes (the newest), opened when there is none. Enrolled learners only."""
    if lesson.kind != Lesson.Kind.SCORM:
        raise NotFoundError(_("This lesson is not a SCORM package."))
    enrollment = enrollment_for(course=lesson.module.course, user=user)
    Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()  # concurrent launches: one attempt
    attempt = ScormAttempt.objects.filter(lesson=lesson, user=user).order_by("-number").first()
    if attempt is not None:
        return attempt
    now = now or timezone.now()
    return ScormAttempt.objects.create(lesson=lesson, user=user, number=1, started_at=now, updated_at=now)


@transaction.atomic
def scorm_attempt_restart(*, lesson: Lesson, user: User, now: datetime | None = None) -> ScormAttempt:
    """A new attempt from scratch (the previous ones are kept; a completion already earned stays)."""
    current = scorm_attempt_current(lesson=lesson, user=user, now=now)
    if not current.cmi:
        return current
    now = now or timezone.now()
    return ScormAttempt.objects.create(lesson=lesson, user=user, number=current.number + 1, started_at=now,
                                       updated_at=now)


_SIGNER_SALT = "courses.scorm.commit"


def scorm_commit_token(*, attempt: ScormAttempt) -> str:
    """The secret of an attempt's commit URL: it proves the commit comes from the player page the app served to
    that learner (the runtime's last commit is a beacon, which carries no CSRF header)."""
    return signing.Signer(salt=_SIGNER_SALT).sign(f"{attempt.pk}.{attempt.user_id}").rsplit(":", 1)[1]


def scorm_commit_token_check(*, attempt: ScormAttempt, token: str) -> bool:
    return signing.constant_time_compare(token, scorm_commit_token(attempt=attempt))


def _dig(data: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(data, dict):
            return None
        data = data.get(name)
    return data


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _percent(*, scaled: Any = None, raw: Any = None, low: Any = None, high: Any = None) -> Decimal | None:
    """The score as a percentage: `scaled` (-1 to 1) first, else `raw` within [min, max] (max 100 by default)."""
    value = _decimal(scaled)
    if value is not None:
        percent = value * 100
    else:
        raw_v, low_v, high_v = _decimal(raw), _decimal(low) or Decimal(0), _decimal(high)
        if raw_v is None:
            return None
        high_v = high_v if high_v is not None and high_v > low_v else Decimal(100) if low_v < 100 else None
        if high_v is None:
            return None
        percent = (raw_v - low_v) * 100 / (high_v - low_v)
    return min(max(percent, Decimal(0)), Decimal(100)).quantize(Decimal("0.01"))


def cmi_outcome(*, version: str, cmi: dict[str, Any]) -> tuple[str, str, Decimal | None]:
    """(completion status, success status, score %) of the committed `cmi` data, in SCORM 2004's words."""
    if version == ScormPackage.Version.SCORM_12:
        status = str(_dig(cmi, "core", "lesson_status") or "")
        completion = {"passed": "completed", "completed": "completed", "failed": "completed",
                      "incomplete": "incomplete", "browsed": "incomplete"}.get(status, "")
        success = {"passed": "passed", "failed": "failed"}.get(status, "")
        score = _percent(raw=_dig(cmi, "core", "score", "raw"), low=_dig(cmi, "core", "score", "min"),
                         high=_dig(cmi, "core", "score", "max"))
    else:
        completion = str(_dig(cmi, "completion_status") or "")
        success = str(_dig(cmi, "success_status") or "")
        score = _percent(scaled=_dig(cmi, "score", "scaled"), raw=_dig(cmi, "score", "raw"),
                         low=_dig(cmi, "score", "min"), high=_dig(cmi, "score", "max"))
    completion = completion if completion in ("completed", "incomplete", "not attempted", "unknown") else ""
    success = success if success in ("passed", "failed", "unknown") else ""
    return completion, success, score


def scorm_lesson_done(*, version: str, completion: str, success: str) -> bool:
    """A SCORM lesson is completed when its SCO says "completed" (SCORM 1.2: "completed" or "passed") or
    "passed"; a SCORM 1.2 "failed" is a finished attempt, not a completed lesson."""
    if success == "passed":
        return True
    if version == ScormPackage.Version.SCORM_12:
        return completion == "completed" and success != "failed"
    return completion == "completed"


@transaction.atomic
def scorm_attempt_commit(*, attempt: ScormAttempt, user: User, data: Any, now: datetime | None = None
                         ) -> tuple[ScormAttempt, bool, Certificate | None]:
    """Store the `cmi` data the runtime committed for `attempt` (the whole object: what it sends replaces what was
    there) and what it says of completion, success and score. A completed or passed attempt completes the lesson.
    Returns (attempt, lesson completed now or before, certificate earned by this commit)."""
    now = now or timezone.now()
    attempt = ScormAttempt.objects.select_for_update().select_related("lesson__module__course").get(pk=attempt.pk)
    if attempt.user_id != user.pk:
        raise NotFoundError(_("No such attempt."))
    cmi = data.get("cmi", data) if isinstance(data, dict) else None
    if not isinstance(cmi, dict):
        raise ApplicationError(_("The SCORM data sent is not valid."), code=Code.VALIDATION_ERROR)
    package = scorm_package_current(lesson=attempt.lesson)
    version = package.version if package else ScormPackage.Version.SCORM_2004
    completion, success, score = cmi_outcome(version=version, cmi=cmi)
    attempt.cmi = cmi
    attempt.completion_status, attempt.success_status = completion, success
    if score is not None:
        attempt.score = score
    attempt.updated_at = now
    attempt.commits += 1
    done = scorm_lesson_done(version=version, completion=completion, success=success)
    certificate = None
    if done and attempt.completed_at is None:
        attempt.completed_at = now
    attempt.save()
    if done:
        enrollment = enrollment_for(course=attempt.lesson.module.course, user=user)
        certificate = _completion_record(enrollment=enrollment, lesson=attempt.lesson, now=now)
    return attempt, done, certificate


_WRITE_ONLY_12 = ("session_time", "exit")


def scorm_launch_data(*, attempt: ScormAttempt, version: str, user: User) -> dict[str, Any]:
    """The `cmi` data the runtime starts from (scorm-again's `loadFromJSON`): what the attempt committed, minus
    the write-only elements, with the learner's id and name and `entry` set to "resume" after a suspend."""
    cmi = dict(attempt.cmi) if isinstance(attempt.cmi, dict) else {}
    name = user.public_name
    if version == ScormPackage.Version.SCORM_12:
        core = dict(cmi.get("core") or {})
        suspended = core.get("exit") == "suspend"
        for key in _WRITE_ONLY_12:
            core.pop(key, None)
        core.update(student_id=str(user.pk), student_name=name,
                    entry="resume" if suspended else ("" if attempt.commits else "ab-initio"))
        cmi["core"] = core
    else:
        suspended = cmi.get("exit") == "suspend"
        for key in ("session_time", "exit", "entry"):
            cmi.pop(key, None)
        cmi.update(learner_id=str(user.pk), learner_name=name,
                   entry="resume" if suspended else ("" if attempt.commits else "ab-initio"))
    return cmi
