"""The review reports' migration goes back and forth: an operator can roll an upgrade back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_the_review_report_migration_is_reversible() -> None:
    # Given the database at its latest migration, with the reports' table
    assert "reputation_reviewreport" in connection.introspection.table_names()
    # When it is migrated back to before the reports
    executor = MigrationExecutor(connection)
    executor.migrate([("reputation", "0007_blacklist_lift")])
    # Then the table is gone
    assert "reputation_reviewreport" not in connection.introspection.table_names()
    # When it is migrated forward again
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # Then the table is back
    assert "reputation_reviewreport" in connection.introspection.table_names()
