"""URLs of the tenants app on the tenant host(s)."""

urlpatterns: list = []
