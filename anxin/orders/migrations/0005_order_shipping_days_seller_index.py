"""Orders keep the shipping days they were sold with, and the seller's orders are found
through one (seller, status, paid_at) index that covers the credit score's counts."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = (
    "UPDATE orders_order SET shipping_days = (SELECT s.shipping_days FROM "
    "catalog_listingsnapshot s WHERE s.id = orders_order.snapshot_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_order_delivered_at_alter_hold_kind"),
        ("catalog", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="shipping_days",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="order", name="orders_orde_seller__c90b9c_idx"),
        migrations.AlterField(
            model_name="order",
            name="seller",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders_sold",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["seller", "status", "paid_at"],
                include=["shipped_at", "shipping_days"],
                name="orders_seller_status_paid",
            ),
        ),
    ]
