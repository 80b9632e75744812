"""URLs of the tenants app on the public host(s)."""

urlpatterns: list = []
