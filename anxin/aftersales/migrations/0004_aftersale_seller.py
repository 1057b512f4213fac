"""An after-sales request names the order's seller, found by index (credit scores)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = (
    "UPDATE aftersales_aftersale SET seller_id = (SELECT o.seller_id FROM orders_order o "
    "WHERE o.id = aftersales_aftersale.order_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0003_sellerdebt_dispute_alter_sellerdebt_after_sale_and_more"),
        ("orders", "0005_order_shipping_days_seller_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="aftersale",
            name="seller",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="aftersale",
            name="seller",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="aftersale",
            index=models.Index(fields=["seller", "requested_at"], name="aftersales__seller_rq_idx"),
        ),
    ]
