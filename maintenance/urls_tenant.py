"""URLs of the maintenance app on the tenant host(s)."""

urlpatterns: list = []
