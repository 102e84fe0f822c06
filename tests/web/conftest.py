from tests.openings.factories import regional  # noqa: F401 - fixture
