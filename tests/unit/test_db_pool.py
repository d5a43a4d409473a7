"""PostgreSQL connection pools keep TRAINER_DB_POOL_SIZE connections (default 10) and open as
many again at a peak; a bad value is a coded error naming the variable."""

from __future__ import annotations

import pytest

from trainer.db.session import DEFAULT_POOL_SIZE, POOL_SIZE_ENV, make_engine, pool_sizes
from trainer.errors import DatabaseError


def test_db_pool_default_and_configured(monkeypatch):
    monkeypatch.delenv(POOL_SIZE_ENV, raising=False)
    assert pool_sizes() == (DEFAULT_POOL_SIZE, DEFAULT_POOL_SIZE)
    monkeypatch.setenv(POOL_SIZE_ENV, "25")
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connects
    assert (engine.pool.size(), engine.pool._max_overflow) == (25, 25)


@pytest.mark.parametrize("raw", ["0", "-3", "ten"])
def test_db_pool_bad_size_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(POOL_SIZE_ENV, raw)
    with pytest.raises(DatabaseError) as caught:
        pool_sizes()
    assert POOL_SIZE_ENV in str(caught.value) or caught.value.where == POOL_SIZE_ENV
