"""Page: the administrator's CSV import with its preview."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError
from mooc_platform.spreadsheets import SafeCsvWriter

from .. import services
from .common import _error


@administrator_required
def manage_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            if request.FILES.get("file"):
                text = request.FILES["file"].read(2 * 1024 * 1024).decode("utf-8-sig", errors="replace")
            else:
                text = request.POST.get("csv_text", "")
            if request.POST.get("action") == "apply":
                report = services.users_import_apply(csv_text=text, actor=request.user)
                # The rows not imported, for the error report to download (issue 13).
                request.session[_REPORT_KEY] = [
                    [row.line, row.email, row.role, row.full_name, row.language,
                     " ".join(str(e.get("message", "")) for e in row.errors)]
                    for row in report.rows if row.action == "error"]
            else:
                report = services.users_import_preview(csv_text=text)
            context.update({"report": report, "summary": report.summary(), "csv_text": text})
        except ApplicationError as exc:
            _error(request, exc)
    return render(request, "courses/manage_import.html", context)


_REPORT_KEY = "users_import_errors"


@administrator_required
def manage_import_template(request: HttpRequest) -> HttpResponse:
    """The CSV to fill: the columns the import reads and one example row per role."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="users-template.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(services.CSV_COLUMNS)
    writer.writerow(["ada.admin@example.org", "Ada Admin", "administrator", "fr"])
    writer.writerow(["ian.instructor@example.org", "Ian Instructor", "instructor", "en"])
    writer.writerow(["lea.learner@example.org", "Lea Learner", "learner", "fr"])
    return response


@administrator_required
def manage_import_report(request: HttpRequest) -> HttpResponse:
    """The rows the last import applied by this administrator did not import, with the reason, as CSV."""
    rows = request.session.get(_REPORT_KEY)
    if rows is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="users-import-errors.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["line", *services.CSV_COLUMNS, _("error")])
    writer.writerows(rows)
    return response
