"""The service hashes passwords with argon2id at the library's recommended parameters (the
tests themselves swap in the cheapest, in tests/conftest.py)."""

from argon2 import Type, profiles

from tests.conftest import SERVICE_HASHER


def test_the_service_hashes_with_argon2id_at_the_recommended_parameters():
    recommended = profiles.RFC_9106_LOW_MEMORY
    assert SERVICE_HASHER.type is Type.ID
    assert (SERVICE_HASHER.time_cost, SERVICE_HASHER.memory_cost, SERVICE_HASHER.parallelism) == (
        recommended.time_cost,
        recommended.memory_cost,
        recommended.parallelism,
    )
    stored = SERVICE_HASHER.hash("a long and unusual password")
    assert stored.startswith(f"$argon2id$v=19$m={recommended.memory_cost},t={recommended.time_cost},")
    assert SERVICE_HASHER.verify(stored, "a long and unusual password")
