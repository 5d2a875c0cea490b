"""Settings for the test suite: production settings with a cheaper Argon2id cost."""

from kouiki.settings import *  # noqa: F403

PASSWORD_HASHERS = ["kouiki.identity.hashers.TestArgon2PasswordHasher"]
KOUIKI_STAFF_OTP_REQUIRED = True
