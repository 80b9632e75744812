"""URLs of the maintenance app on the public host(s)."""

urlpatterns: list = []
