"""Catalogue search (issue 14 item 2, SPEC §4): accent- and case-insensitive full-text search with French and
English stemming, on the page `GET /courses/?q=` and the API `GET /api/v1/courses/?q=`, with filters."""

from __future__ import annotations

import pytest
from django.db import connection

from courses import selectors, services
from courses.models import Course
from tests.factories import CourseFactory, UserFactory
from tests.helpers import client_for, unique


@pytest.fixture
def shelf(demo_host, in_demo):
    """Three published courses with words no other course of the test database uses, one draft."""
    instructor = UserFactory(role="instructor")
    tag = unique("t").replace("-", "")
    category = services.category_create(actor=instructor, name=f"Carrière {tag}")
    cv = CourseFactory(author=instructor, quiz=False, title=f"Rédiger son Résumé {tag}",
                       summary="Les éléments essentiels d'une candidature.", language="fr")
    services.course_update(course=cv, actor=instructor, category=category.pk)
    garden = CourseFactory(author=instructor, quiz=False, title=f"Gardening basics {tag}",
                           summary="Growing tomatoes and running a compost heap.", language="en")
    other = CourseFactory(author=instructor, quiz=False, title=f"Statistique {tag}", summary="Moyennes.",
                          language="fr")
    draft = CourseFactory(author=instructor, quiz=False, publish=False, title=f"Résumé brouillon {tag}")
    learner = UserFactory()
    return {"host": demo_host, "tag": tag, "cv": cv, "garden": garden, "other": other, "draft": draft,
            "learner": learner, "instructor": instructor, "category": category}


def _search(shelf, q: str, **extra: str) -> list[str]:
    filters = selectors.catalogue_filters_clean(q=q, **extra)
    courses = selectors.courses_catalogue(user=shelf["learner"], filters=filters)
    return [c.slug for c in courses if shelf["tag"] in c.title]


def test_a_french_word_typed_without_its_accents_finds_the_course(shelf) -> None:
    assert _search(shelf, "resume") == [shelf["cv"].slug]
    assert _search(shelf, "elements") == [shelf["cv"].slug]  # "éléments", in the summary
    assert _search(shelf, "RÉSUMÉ") == [shelf["cv"].slug]


def test_stemming_in_french_and_english(shelf) -> None:
    assert _search(shelf, "element") == [shelf["cv"].slug]  # singular of "éléments" (French stemming)
    assert _search(shelf, "tomato") == [shelf["garden"].slug]  # English stemming
    assert _search(shelf, "run") == [shelf["garden"].slug]  # "running"
    assert _search(shelf, "carriere") == [shelf["cv"].slug]  # the category's name, accent left out


def test_a_word_being_typed_matches_the_start_of_a_title(shelf) -> None:
    assert _search(shelf, "statis") == [shelf["other"].slug]


def test_drafts_are_never_found_by_learners(shelf) -> None:
    assert shelf["draft"].slug not in _search(shelf, "brouillon")


def test_filters_by_category_and_language(shelf) -> None:
    assert _search(shelf, "", category=shelf["category"].slug) == [shelf["cv"].slug]
    assert sorted(_search(shelf, "", language="fr")) == sorted([shelf["cv"].slug, shelf["other"].slug])
    assert _search(shelf, "", language="en") == [shelf["garden"].slug]
    assert _search(shelf, "resume", language="en") == []


def test_the_search_works_in_a_tenant_schema_through_public_configurations(shelf) -> None:
    """The extension and the configurations live in public only; the tenant's search_path reaches them."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert connection.schema_name in cursor.fetchone()[0]
        cursor.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                       "WHERE e.extname = 'unaccent'")
        assert cursor.fetchone()[0] == "public"
        cursor.execute("SELECT to_tsvector('public.fr_unaccent', 'Résumé des éléments')::text")
        assert cursor.fetchone()[0] == "'element':3 'resum':1"


def test_api_search(shelf) -> None:
    client = client_for(shelf["host"], shelf["learner"].email)
    response = client.get("/api/v1/courses/", {"q": "resume"})
    assert response.status_code == 200
    body = response.json()
    found = body["results"] if isinstance(body, dict) else body
    mine = [c for c in found if shelf["tag"] in c["title"]]
    assert [c["slug"] for c in mine] == [shelf["cv"].slug]
    assert mine[0]["category"] == {"id": shelf["category"].pk, "name": shelf["category"].name,
                                   "slug": shelf["category"].slug}
    assert mine[0]["language"] == "fr"
    assert mine[0]["cover_url"] is None


def test_api_filters_and_hostile_queries(shelf) -> None:
    client = client_for(shelf["host"], shelf["learner"].email)

    def slugs(**params: str) -> list[str]:
        response = client.get("/api/v1/courses/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        return [c["slug"] for c in rows if shelf["tag"] in c["title"]]

    assert slugs(q="gardening", language="en") == [shelf["garden"].slug]
    assert slugs(category=shelf["category"].slug) == [shelf["cv"].slug]
    assert slugs(language="xx") != []  # an unknown language is ignored, not an error
    for hostile in ["'", '"', "!(&|", "a" * 5000, "résumé & | ! <-> :*", "%_\\", "😀", "-", "or or", "\x01\x1f"]:
        slugs(q=hostile)
        slugs(q=hostile, category=hostile, language=hostile)
    # A NUL byte is refused by the platform's input guard with its JSON error, before the search runs.
    response = client.get("/api/v1/courses/", {"q": "resume\x00"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_characters")


def test_catalogue_page_searches_and_filters(shelf) -> None:
    from django.test import Client

    client = Client(HTTP_HOST=shelf["host"])
    client.force_login(shelf["learner"])
    page = client.get("/courses/", {"q": "elements"}).content.decode()
    assert shelf["cv"].title in page and shelf["garden"].title not in page
    page = client.get("/courses/", {"language": "en", "q": shelf["tag"]}).content.decode()
    assert shelf["garden"].title in page and shelf["cv"].title not in page
    for hostile in ["'", "a" * 5000, "!(&|", "\x01"]:
        response = client.get("/courses/", {"q": hostile, "category": hostile, "language": hostile})
        assert response.status_code == 200
        assert response.context["filters"].q == hostile.replace("\x01", "")[:200]
    assert Course.objects.filter(pk=shelf["cv"].pk).exists()


def test_staff_search_drafts_through_the_api(shelf) -> None:
    client = client_for(shelf["host"], shelf["instructor"].email)
    body = client.get("/api/v1/courses/", {"q": "brouillon"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [c["slug"] for c in rows if shelf["tag"] in c["title"]] == [shelf["draft"].slug]


def test_a_french_organisation_reads_the_catalogue_and_the_review_in_french(acme) -> None:
    from django.test import Client
    from django_tenants.utils import schema_context

    from courses.models import Lesson, QuizAttempt
    from tests.helpers import host_of

    with schema_context(acme.schema_name):
        learner = UserFactory(language="fr")
        course = CourseFactory(author=UserFactory(role="instructor", language="fr"), quiz=False, language="fr")
        quiz = services.lesson_create(module=course.modules.get(), title="Quiz", kind=Lesson.Kind.QUIZ)
        question = services.question_create(lesson=quiz, text="Vrai ?", kind="true_false",
                                            choices=services.true_false_choices(correct=True, language="fr"))
        services.enrollment_create(course=course, user=learner)
        attempt = services.quiz_attempt_start(lesson=quiz, user=learner)
        wrong = question.choices.get(is_correct=False)
        services.quiz_attempt_submit(attempt=attempt, user=learner, answers={str(question.pk): [wrong.pk]})
        assert QuizAttempt.objects.get(pk=attempt.pk).score == 0
        client = Client(HTTP_HOST=host_of(acme))
        client.force_login(learner)
    page = client.get("/courses/", {"q": "x"}).content.decode()
    assert "Rechercher un cours" in page and "Toutes les catégories" in page
    assert "Search the courses" not in page and "All categories" not in page
    page = client.get(f"/courses/{course.slug}/lessons/{quiz.pk}/").content.decode()
    assert "Corrigé de la tentative 1" in page and "✗ Faux" in page and "Votre réponse" in page
    assert "Review of attempt" not in page and "Your answer" not in page
