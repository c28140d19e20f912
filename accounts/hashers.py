"""How passwords are stored: Argon2id at OWASP's recommended minimum (19 MiB of memory, two
passes, one lane), about 50 ms per sign-in on one core instead of PBKDF2's second or more.
A stored hash of another kind (Django's PBKDF2) is rehashed at the user's next login."""

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet, Argon2id: m=19456 (19 MiB), t=2, p=1.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same "argon2" algorithm name, so its hashes verify anywhere)
    with parameters that fit a two-core web machine: Django's defaults (100 MiB, 8 lanes)
    cost several times more here without adding strength against one attacker's GPU."""

    memory_cost = ARGON2_MEMORY_KIB
    time_cost = ARGON2_TIME_COST
    parallelism = ARGON2_PARALLELISM
