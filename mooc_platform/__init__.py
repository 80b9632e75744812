"""The Django project: settings, urlconfs, Celery app, accounts, errors and the shell's pages."""

from .celery import app as celery_app

__all__ = ["celery_app"]
