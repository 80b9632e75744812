from django.urls import path

from . import apis

urlpatterns = [
    path("api/v1/courses/", apis.CourseListApi.as_view(), name="api-course-list"),
]
