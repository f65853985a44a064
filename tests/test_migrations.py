"""The migrations build exactly the schema the models declare (tables, columns, indexes), on both app databases:
a model change without its migration, or a migration the models forgot, fails here rather than in production."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_migrated_schema_equals_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []
