"""Claims and support requests of customer administrators (SPEC R25, GCS art. 13).

Claims live in `public` (a SHARED app): they are platform records about a tenant, handled by operators across
tenants in the console, and they must outlive the tenant's schema (a claim about an invoice stays with the
invoice). The filer is kept by value (e-mail, name, language, the id of the user in the tenant's schema): no
foreign key crosses from `public` into a tenant schema (tenancy rule of the README)."""
