"""The API tests' seeded database, for the HTTP attacks here."""

from ..api.conftest import seeded  # noqa: F401 - re-exported fixture
