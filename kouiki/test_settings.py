"""Settings for the test suite: production settings with a cheaper Argon2id cost."""

from kouiki.settings import *  # noqa: F403

PASSWORD_HASHERS = ["kouiki.identity.hashers.TestArgon2PasswordHasher"]
KOUIKI_STAFF_OTP_REQUIRED = True
# Tests of other screens must not depend on the hour they run at; tests of CAP-H1 turn this off.
KOUIKI_CAPACITY_ALWAYS_OPEN = True
