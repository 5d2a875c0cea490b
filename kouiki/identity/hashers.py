"""A cheap Argon2id for the test suite only (same algorithm, less memory and time)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 1
    memory_cost = 256
    parallelism = 1
