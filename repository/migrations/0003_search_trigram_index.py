"""A trigram GIN index on Publication.search_text, on PostgreSQL only.

`search_text__contains` is `LIKE '%word%'`; with pg_trgm's gin_trgm_ops the planner serves it
from the index (a Bitmap Index Scan) instead of reading the table. SQLite has no such index
and scans, which is fine for the embedded default.
"""

from django.db import migrations

INDEX = "repository_publication_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON repository_publication USING gin (search_text gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("repository", "0002_library")]

    operations = [migrations.RunPython(create_index, drop_index)]
