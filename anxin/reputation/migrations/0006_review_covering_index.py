"""A seller's reviews are counted from the index alone (credit scores)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reputation", "0005_blacklist_monitor")]

    operations = [
        migrations.RemoveIndex(model_name="review", name="reputation__seller__6f469e_idx"),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                fields=["seller", "created_at"],
                include=["as_described", "shipping", "service", "hidden_at"],
                name="reputation_review_seller",
            ),
        ),
    ]
