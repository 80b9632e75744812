from django.db.models import QuerySet

from mooc_platform.accounts.models import User

from .models import Course


def courses_visible(*, user: User) -> QuerySet[Course]:
    """Courses a user may see: staff of the organisation see drafts too, learners only published ones."""
    qs = Course.objects.all()
    if user.role == User.Role.LEARNER:
        qs = qs.filter(status=Course.Status.PUBLISHED)
    return qs.order_by("title", "id")
