"""General meetings' one rule of their own: whom their mails go to.

Who may use a function (members' users holding the 担当業務 総会, administrators; the staff in the
back office) is decided by the access layer, `kouiki.identity.access`, from the catalog.
"""

from __future__ import annotations

from kouiki.identity.choices import Duty

# The mails of general meetings go to the users holding this duty (and administrators).
DUTY = Duty.ASSEMBLY.value
