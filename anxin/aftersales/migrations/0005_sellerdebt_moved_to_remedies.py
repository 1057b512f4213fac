"""The seller's debt now belongs to remedies (remedies 0001 takes it over): drop it from this
app's picture of the models only, leaving the table and its rows for remedies."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0004_aftersale_seller"),
        ("remedies", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SellerDebt")],
            database_operations=[],
        ),
    ]
