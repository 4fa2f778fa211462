"""Alembic environment for the session log.

SessionStore.migrate() (core/schema_migration.py) hands in its own connection (config.attributes["connection"]); the
command line (`alembic upgrade head` in the project folder) connects to DATABASE_URL instead.
"""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from core.log_schema import Base
from core.schema_migration import ALEMBIC_VERSION_TABLE
from core.session_store import database_url

config = context.config
SETTINGS = {
    "target_metadata": Base.metadata,
    "version_table": ALEMBIC_VERSION_TABLE,  # apart from any other Alembic user of the database
    "render_as_batch": True,  # autogenerate ALTERs that SQLite can run (copy-and-move)
}


def run_on(connection) -> None:
    context.configure(connection=connection, **SETTINGS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # `alembic upgrade head --sql`: print the SQL only
    context.configure(url=config.get_main_option("sqlalchemy.url") or database_url(),
                      literal_binds=True, **SETTINGS)
    with context.begin_transaction():
        context.run_migrations()
elif "connection" in config.attributes:
    run_on(config.attributes["connection"])
else:
    if config.config_file_name:  # only the command line; never reconfigure a server's logging
        fileConfig(config.config_file_name)
    engine = create_engine(database_url(), future=True, poolclass=NullPool)
    with engine.begin() as connection:
        run_on(connection)
    engine.dispose()
