import warnings

from alembic import context
from sqlalchemy import exc, pool

from envplane.core.config import get_settings
from envplane.core.database import create_db_engine
from envplane.models import Base

config = context.config

# SQLite cannot reflect expression indexes such as the case-insensitive unique
# names. Batch mode reflects the tables a changed table refers to and warns about
# them; those tables are not rebuilt, so nothing is lost. A batch change to a
# table that carries such an index must recreate the index itself.
warnings.filterwarnings(
    "ignore",
    message="Skipped unsupported reflection of expression-based index",
    category=exc.SAWarning,
)
url = config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_db_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
