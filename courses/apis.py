from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from .models import Course
from .selectors import courses_visible


class CourseListApi(ListAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Course
            fields = ["id", "title", "slug", "summary", "language", "licence", "pass_mark", "visibility",
                      "status"]

    serializer_class = OutputSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return courses_visible(user=self.request.user)

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)
