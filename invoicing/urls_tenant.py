"""URLs of the invoicing app on the tenant host(s)."""

urlpatterns: list = []
