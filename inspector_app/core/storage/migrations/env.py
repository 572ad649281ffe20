"""Alembic environment: always run programmatically by inspector_app.core.storage.db on a live connection."""

from alembic import context

from inspector_app.core.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True
)
context.run_migrations()
