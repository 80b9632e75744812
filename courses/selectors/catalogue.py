"""The catalogue's search and filters (issue 14 item 2, SPEC §4: `GET /courses/?q=`, `GET /api/v1/courses/?q=`).

Search is PostgreSQL full-text search through the `public.fr_unaccent` and `public.en_unaccent` text search
configurations (mooc_platform migration 0002): accents and case are ignored and words are stemmed in French
and in English, so "resume" finds "Résumé" and "elements" finds "éléments". A course matches when either
language's query matches its title, summary or category, or when its title contains the typed text (accents
and case ignored: a word being typed, "intro" for "Introduction"). Best matches come first."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, Func, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Lower

from mooc_platform.i18n import LANGUAGE_CODES

from ..models import Category, Course

FR_CONFIG = "public.fr_unaccent"
EN_CONFIG = "public.en_unaccent"
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CatalogueFilters:
    """What a visitor asked the catalogue for, cleaned: `q` ("" for no search), a category slug and a language
    code (None when not filtering)."""

    q: str = ""
    category: str | None = None
    language: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.language)


def catalogue_filters_clean(*, q: object = "", category: object = "", language: object = "") -> CatalogueFilters:
    """Query-string values as the catalogue uses them: control characters (a NUL byte PostgreSQL would refuse)
    removed, lengths bounded, unknown languages and malformed category slugs ignored (never an error)."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(q or ""))[:MAX_QUERY_LENGTH]
    text = re.sub(r"\s+", " ", text).strip()
    slug = str(category or "").strip()
    lang = str(language or "").strip()
    return CatalogueFilters(q=text, category=slug if re.fullmatch(r"[-a-zA-Z0-9_]{1,100}", slug) else None,
                            language=lang if lang in LANGUAGE_CODES else None)


def _plain(text: str) -> str:
    """Lower case, accents removed: the Python side of `lower(public.unaccent(…))`."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def _unaccent(expression: object) -> Func:
    return Func(expression, function="public.unaccent", output_field=TextField())


def courses_search(*, courses: QuerySet[Course], filters: CatalogueFilters) -> QuerySet[Course]:
    """`courses` narrowed to `filters`, best matches first when searching (else in their own order)."""
    if filters.category:
        courses = courses.filter(category__slug=filters.category)
    if filters.language:
        courses = courses.filter(language=filters.language)
    if not filters.q:
        return courses

    def document(config: str) -> SearchVector:
        return (SearchVector("title", weight="A", config=config)
                + SearchVector("summary", weight="B", config=config)
                + SearchVector(Coalesce("category__name", Value("")), weight="B", config=config))

    query_fr = SearchQuery(filters.q, config=FR_CONFIG, search_type="websearch")
    query_en = SearchQuery(filters.q, config=EN_CONFIG, search_type="websearch")
    # Matched and ranked in a subquery of its own: the caller's queryset may be grouped (counts).
    matches = (Course.objects
               .annotate(search_fr=document(FR_CONFIG), search_en=document(EN_CONFIG),
                         title_plain=Lower(_unaccent(F("title"))))
               .filter(Q(search_fr=query_fr) | Q(search_en=query_en) | Q(title_plain__contains=_plain(filters.q)))
               .annotate(rank=SearchRank(F("search_fr"), query_fr) + SearchRank(F("search_en"), query_en)))
    return (courses.filter(pk__in=matches.values("pk"))
            .annotate(search_rank=Subquery(matches.filter(pk=OuterRef("pk")).values("rank")[:1]))
            .order_by("-search_rank", "title", "id"))


def categories_used() -> QuerySet[Category]:
    """The categories of the catalogue's filter, by name."""
    return Category.objects.order_by("name", "id")


def course_landing_visible() -> QuerySet[Course]:
    """The courses with a public landing page: published MOOCs only (a SPOC is by invitation, never public)."""
    return Course.objects.filter(status=Course.Status.PUBLISHED, visibility=Course.Visibility.MOOC).select_related(
        "category", "cover")
