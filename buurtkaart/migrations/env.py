"""Alembic environment: migrates through the connection that `buurtkaart.store.open_store` passes in."""

from __future__ import annotations

from alembic import context

from buurtkaart.store import Base


def run_migrations() -> None:
    """Run the pending migrations on the connection given in the configuration's attributes."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        msg = "Buurtkaart migrates only through buurtkaart.store.open_store(), which passes a connection."
        raise RuntimeError(msg)
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
