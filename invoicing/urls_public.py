"""URLs of the invoicing app on the public host(s)."""

urlpatterns: list = []
