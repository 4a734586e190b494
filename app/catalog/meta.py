"""The catalog's key-value facts about itself (model, vector width, ids, pending work)."""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select

from app.catalog.schema import Meta


def get_meta(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(Meta.value).where(Meta.key == key)).scalar_one_or_none()


def set_meta(engine: Engine, key: str, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(Meta).where(Meta.key == key))
        conn.execute(insert(Meta).values(key=key, value=value))


def delete_meta(engine: Engine, key: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(Meta).where(Meta.key == key))


# --- what is known under some folders ---------------------------------------------------------
