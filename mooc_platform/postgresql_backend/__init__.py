"""Django's PostgreSQL backend with a schema editor that Citus accepts (issue 16); django-tenants wraps it
(`ORIGINAL_BACKEND` in settings)."""
