"""Tenant-schema models: everything here lives in the organisation's own schema."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mooc_platform.i18n import LANGUAGES


class Category(models.Model):
    """A heading of the catalogue (issue 14 item 2): courses are filtered by it."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    class Licence(models.TextChoices):
        CC_BY = "cc-by", _("CC BY")
        CC_BY_SA = "cc-by-sa", _("CC BY-SA")
        CC_BY_NC = "cc-by-nc", _("CC BY-NC")
        CC_BY_NC_SA = "cc-by-nc-sa", _("CC BY-NC-SA")
        ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")

    class Visibility(models.TextChoices):
        MOOC = "mooc", _("MOOC — open to every user of the organisation")
        SPOC = "spoc", _("SPOC — by invitation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="fr", choices=LANGUAGES)
    licence = models.CharField(max_length=30, choices=Licence.choices, default=Licence.ALL_RIGHTS_RESERVED)
    pass_mark = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Minimum average quiz score (%) for a certificate."),
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MOOC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="courses")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True,
                                                   validators=[MaxValueValidator(100_000)],
                                                   help_text=_("Estimated time to complete the course."))
    cover = models.OneToOneField("MediaUpload", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="course_cover",
                                 help_text=_("The cover image, resized server-side (COVER_SIZE)."))
    starts_on = models.DateField(null=True, blank=True, help_text=_("First day of the course (shown to learners)."))
    ends_on = models.DateField(null=True, blank=True,
                               help_text=_("Last day of the course: a deadline on the learners' home and calendar."))

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pass_mark__gte=0) & models.Q(pass_mark__lte=100),
                                   name="course_pass_mark_0_100"),
            models.CheckConstraint(condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True)
                                   | models.Q(ends_on__gte=models.F("starts_on")), name="course_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_label(self) -> str:
        """The estimated duration as people say it: "45 min", "2 h", "1 h 30 min" (empty when unknown)."""
        if not self.duration_minutes:
            return ""
        hours, minutes = divmod(self.duration_minutes, 60)
        if not hours:
            return _("%(minutes)s min") % {"minutes": minutes}
        if not minutes:
            return _("%(hours)s h") % {"hours": hours}
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


class LiveModuleManager(models.Manager["Module"]):
    """Modules not in the bin: every list of learners and instructors reads through it (issue 14 item 5)."""

    def get_queryset(self) -> models.QuerySet["Module"]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class LiveLessonManager(models.Manager["Lesson"]):
    """Lessons not in the bin, nor in a module in the bin."""

    def get_queryset(self) -> models.QuerySet["Lesson"]:
        return super().get_queryset().filter(deleted_at__isnull=True, module__deleted_at__isnull=True)


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text=_("In the bin since then: restorable for 30 days, then purged with its lessons and media."))

    # The default manager hides the bin (related managers and prefetches too); `all_objects` sees it.
    objects = LiveModuleManager()
    all_objects = models.Manager()  # noqa: DJ012 - ruff takes the custom manager above for a field

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["course", "position", "id"]

    def __str__(self) -> str:
        return self.title


class MediaUpload(models.Model):
    """An object a browser was allowed to PUT under the tenant's prefix (SPEC R20). Counted in the
    tenant's storage usage once confirmed; deleted with the lesson (or branding) using it."""

    class Purpose(models.TextChoices):
        VIDEO = "video", _("Video")
        FILE = "file", _("File")
        LOGO = "logo", _("Logo")
        COVER = "cover", _("Cover image")
        CAPTION = "caption", _("Captions (WebVTT)")
        SCORM = "scorm", _("SCORM package")
        IMAGE = "image", _("Image in a text")

    key = models.CharField(max_length=400, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    declared_size = models.BigIntegerField()
    size = models.BigIntegerField(null=True, blank=True, help_text=_("Set when the upload is confirmed."))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    multipart_id = models.CharField(max_length=200, blank=True, help_text=_("S3 UploadId of a multipart upload."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.CASCADE, related_name="images",
                               help_text=_("An image in a text: the course whose lessons show it."))

    def __str__(self) -> str:
        return self.key


class Lesson(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        VIDEO = "video", _("Video")
        FILE = "file", _("File")
        QUIZ = "quiz", _("Quiz")
        SCORM = "scorm", _("SCORM package")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    position = models.PositiveIntegerField(default=0)
    body_markdown = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text=_("Sanitised rendering of body_markdown."))
    media = models.OneToOneField(MediaUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="lesson")
    max_attempts = models.PositiveIntegerField(default=3, help_text=_("0 = unlimited."))
    time_limit_minutes = models.PositiveIntegerField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    review_allowed = models.BooleanField(
        default=True, help_text=_("Learners see which answers were right once an attempt is submitted."))
    draw_count = models.PositiveIntegerField(
        null=True, blank=True,
        help_text=_("Quiz: questions drawn at random from its bank for each attempt (empty: all)."))
    deleted_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text=_("In the bin since then: restorable for 30 days, then purged with its media."))

    objects = LiveLessonManager()
    all_objects = models.Manager()  # noqa: DJ012 - ruff takes the custom manager above for a field

    class Meta:
        base_manager_name = "all_objects"
        ordering = ["module", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Caption(models.Model):
    """Captions of a video lesson in one language (a WebVTT file on S3), shown as a track and a transcript."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(max_length=8, choices=LANGUAGES)
    upload = models.OneToOneField(MediaUpload, on_delete=models.PROTECT, related_name="caption")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["lesson", "language"], name="caption_one_per_language")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ScormPackage(models.Model):
    """A SCORM 1.2 or 2004 package of a SCORM lesson (issue 14 item 6): the zip an instructor uploaded, unpacked by
    a Celery task under the tenant's prefix (`scorm/<uuid>/`), served to the player from the app's origin. The
    unpacked files are counted in the storage quota through `content` (a MediaUpload whose key is the folder)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be unpacked")
        PROCESSING = "processing", _("Unpacking")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Refused")

    class Version(models.TextChoices):
        SCORM_12 = "1.2", _("SCORM 1.2")
        SCORM_2004 = "2004", _("SCORM 2004")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="scorm_packages")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percentage of the files unpacked."))
    upload = models.ForeignKey(MediaUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text=_("The zip as uploaded (deleted once unpacked or refused)."))
    content = models.OneToOneField(MediaUpload, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="scorm_package",
                                   help_text=_("The unpacked files: their folder and total size."))
    filename = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=4, choices=Version.choices, blank=True)
    title = models.CharField(max_length=200, blank=True)
    launch_path = models.CharField(max_length=1000, blank=True,
                                   help_text=_("The first SCO's file, relative to the package's folder."))
    launch_query = models.CharField(max_length=1000, blank=True,
                                    help_text=_("The item's parameters, appended to the launch URL."))
    file_count = models.PositiveIntegerField(default=0)
    size = models.BigIntegerField(default=0, help_text=_("Bytes once unpacked."))
    error = models.CharField(max_length=40, blank=True, help_text=_("Why the package was refused (a code)."))
    error_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["lesson", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ScormAttempt(models.Model):
    """A learner's attempt at a SCORM lesson: the `cmi` data the runtime committed (resumed on the next launch),
    and what it says of completion, success and score."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="scorm_attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_attempts")
    number = models.PositiveIntegerField()
    cmi = models.JSONField(default=dict, blank=True)
    completion_status = models.CharField(max_length=20, blank=True)
    success_status = models.CharField(max_length=20, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                help_text=_("Percentage (0 to 100) reported by the package."))
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    commits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["lesson", "user", "number"]
        constraints = [models.UniqueConstraint(fields=["lesson", "user", "number"], name="scorm_attempt_number_unique"),
                       models.CheckConstraint(condition=models.Q(score__isnull=True) | (models.Q(score__gte=0)
                                                                                        & models.Q(score__lte=100)),
                                              name="scorm_attempt_score_0_100")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Question(models.Model):
    """A quiz question. Choice kinds (single, multiple, true/false) and matching keep their options in
    `Choice` rows (a matching pair is `text` ↔ `match_text`); short text checks `accepted_answers`,
    numeric `numeric_answer` ± `numeric_tolerance` (courses.services.quizzes)."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT = "short", _("Short text")
        NUMERIC = "numeric", _("Numeric")
        MATCHING = "matching", _("Matching")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    position = models.PositiveIntegerField(default=0)
    explanation = models.TextField(blank=True, help_text=_("Shown in the review of a submitted attempt."))
    accepted_answers = models.JSONField(default=list, blank=True,
                                        help_text=_("Short text: the answers accepted (case and spaces ignored)."))
    numeric_answer = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    numeric_tolerance = models.DecimalField(max_digits=24, decimal_places=8, default=Decimal("0"),
                                            validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["lesson", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(numeric_tolerance__gte=0), name="question_tolerance_gte_0"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def numeric_answer_text(self) -> str:
        return "" if self.numeric_answer is None else format(self.numeric_answer.normalize(), "f")

    @property
    def numeric_tolerance_text(self) -> str:
        return format(self.numeric_tolerance.normalize(), "f") if self.numeric_tolerance else ""

    @property
    def match_options(self) -> list[tuple[int, str]]:
        """Matching: the right-hand items as the learner picks them (by their text, not in the pairs' order)."""
        return sorted(((c.pk, c.match_text) for c in self.choices.all()), key=lambda o: (o[1].casefold(), o[0]))


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    match_text = models.CharField(max_length=500, blank=True, help_text=_("Matching: the item paired with `text`."))
    feedback = models.CharField(max_length=500, blank=True, help_text=_("Shown in the review when chosen."))

    class Meta:
        ordering = ["question", "id"]

    def __str__(self) -> str:
        return self.text


class CourseInvitation(models.Model):
    """A SPOC admits the e-mails invited to it (one by one or by CSV)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "email"], name="course_invitation_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class Enrollment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True, help_text=_("Every lesson completed."))
    cohort = models.ForeignKey("Cohort", null=True, blank=True, on_delete=models.SET_NULL, related_name="enrollments",
                               help_text=_("The cohort the learner was enrolled through (none: enrolled directly)."))
    access_starts_on = models.DateField(null=True, blank=True,
                                        help_text=_("First day the lessons open (Paris time; empty: at once)."))
    access_ends_on = models.DateField(null=True, blank=True,
                                      help_text=_("Last day the lessons are open (Paris time; empty: no end)."))

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="enrollment_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class LessonCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "lesson"], name="lesson_completion_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class VideoProgress(models.Model):
    """Where a learner is in a video lesson (resumed there) and how much of it they watched: 90 % of its
    duration completes the lesson (issue 14 item 3)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="video_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="video_progress")
    position_seconds = models.FloatField(default=0)
    watched_seconds = models.FloatField(default=0, help_text=_("The length of `watched_segments`' union."))
    watched_segments = models.JSONField(default=list, blank=True,
                                        help_text=_("[start, end] seconds actually played, merged (no overlap)."))
    duration_seconds = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "lesson"], name="video_progress_once")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class QuizAttempt(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    question_ids = models.JSONField(
        default=list, blank=True,
        help_text=_("The questions drawn for this attempt, in order (empty: all of the quiz)."))
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["lesson", "user", "number"]
        constraints = [models.UniqueConstraint(fields=["lesson", "user", "number"], name="quiz_attempt_number_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class Certificate(models.Model):
    """Certificate of achievement (SPEC R21). Holder and course are copied by value so the
    certificate stays verifiable after the holder deletes the account ("holder removed"). A learning path's
    certificate has `path` set, no course, and the path's title in `course_title` (issue 14 item 10)."""

    code = models.CharField(max_length=32, unique=True)
    course = models.ForeignKey(Course, null=True, on_delete=models.SET_NULL, related_name="certificates")
    path = models.ForeignKey("LearningPath", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="certificates")
    for_path = models.BooleanField(default=False, help_text=_("A learning path's certificate (not a course's)."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="certificates")
    holder_name = models.CharField(max_length=200)
    holder_removed = models.BooleanField(default=False)
    course_title = models.CharField(max_length=200)
    organisation_name = models.CharField(max_length=200)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    issued_at = models.DateTimeField()
    pdf_key = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-issued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="certificate_one_per_course_user"),
                       models.UniqueConstraint(fields=["path", "user"], name="certificate_one_per_path_user")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class Post(models.Model):
    """A forum post; moderation is a posteriori (SPEC R21): visible at once, hidden on report."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="posts")
    lesson = models.ForeignKey("Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts",
                               help_text=_("The lesson a thread is about (none: the course's general discussion)."))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts")
    body = models.TextField()
    body_html = models.TextField(blank=True, help_text=_("Sanitised rendering of body (Markdown, mentions in bold)."))
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class PostReport(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class PostFollow(models.Model):
    """A user following a thread (its first post): told of each reply. Authors and repliers follow at once."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="post_follow_once")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Notification(models.Model):
    """Something a user is told of, in the app (unread until read) and by e-mail if they chose so (issue 14
    item 8). Its text is written at display time from `kind` and `params`, in the reader's language."""

    class Kind(models.TextChoices):
        ENROLMENT = "enrolment", _("Enrolment in a course")
        CERTIFICATE = "certificate", _("Certificate earned")
        REPLY = "reply", _("Reply to my post")
        FOLLOWED = "followed", _("New reply in a thread I follow")
        MENTION = "mention", _("Someone mentions me")
        REPORT = "report", _("Post reported (moderators)")
        DEADLINE = "deadline", _("Deadline in 48 hours")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text=_("What it is about: one notification per user, kind and key."))
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True, help_text=_("The page it links to (a path of the tenant host)."))
    in_app = models.BooleanField(default=True, help_text=_("Shown in the app (False: the user muted this kind there)."))
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "in_app", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class NotificationSettings(models.Model):
    """A user's choices: the kinds they do not want in the app or by e-mail, and a daily digest instead of
    one e-mail each. No row: every kind in the app and by e-mail, one e-mail each."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings")
    muted_in_app = models.JSONField(default=list, blank=True)
    muted_email = models.JSONField(default=list, blank=True)
    daily_digest = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Branding(models.Model):
    """The organisation's look (one row per tenant schema, id=1)."""

    name = models.CharField(max_length=200, blank=True, help_text=_("Empty: the organisation's registered name."))
    logo = models.OneToOneField(MediaUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    primary_color = models.CharField(max_length=7, default="#1d4ed8")
    accent_color = models.CharField(max_length=7, default="#f59e0b")
    email_sender_name = models.CharField(
        max_length=100, blank=True, help_text=_("Display name of the From header of the organisation's e-mails."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(primary_color__regex=r"^#[0-9a-fA-F]{6}$"),
                                   name="branding_primary_color_hex"),
            models.CheckConstraint(condition=models.Q(accent_color__regex=r"^#[0-9a-fA-F]{6}$"),
                                   name="branding_accent_color_hex"),
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



class UserInvitation(models.Model):
    """A one-time link to set a password (SPEC R2). Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"



# --- Cohorts and learning paths (issue 14 item 10) ------------------------------------------------------------


class Cohort(models.Model):
    """A group of the organisation's users, enrolled together in courses (with access dates) and paths."""

    name = models.CharField(max_length=200, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CohortMember(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "id"]
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="cohort_member_once")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class CohortCourse(models.Model):
    """A cohort enrolled in a course between two dates: every member, and every member added later, is enrolled
    with these access dates (`Enrollment.access_starts_on`, `access_ends_on`)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="course_enrolments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="cohort_enrolments")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "course__title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "course"], name="cohort_course_once"),
            models.CheckConstraint(condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True)
                                   | models.Q(ends_on__gte=models.F("starts_on")),
                                   name="cohort_course_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class LearningPath(models.Model):
    """An ordered list of courses; completing every one of them earns the path's certificate."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="fr", choices=LANGUAGES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class LearningPathCourse(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="path_steps")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["path", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["path", "course"], name="path_course_once")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class PathEnrollment(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="path_enrollments")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["path", "user"], name="path_enrollment_once")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class CohortPath(models.Model):
    """A cohort enrolled in a learning path: every member, and every member added later."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="path_enrolments")
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="cohort_enrolments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "id"]
        constraints = [models.UniqueConstraint(fields=["cohort", "path"], name="cohort_path_once")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
