"""The Switching Support System's JSON API, `/api/switching/v1/` (django-ninja).

`api.py` builds the API; `operations/` holds one module per 業務, each operation a thin layer that
parses, calls the same service or selector as the web screen, and answers with a schema of
`schemas.py`. Authentication, rate limits, idempotency and problem details are the kernel's
(`kouiki.core.api`); `auth.authenticate` is the one place a caller becomes a user.
"""
