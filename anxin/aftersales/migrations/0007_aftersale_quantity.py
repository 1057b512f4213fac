"""A request names how many of the order's items it is about. Requests made before are about
all of them."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def whole_orders(apps, schema_editor):
    AfterSale = apps.get_model("aftersales", "AfterSale")
    Order = apps.get_model("orders", "Order")
    AfterSale.objects.update(
        quantity=Subquery(Order.objects.filter(pk=OuterRef("order_id")).values("quantity")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0006_aftersale_return_address"),
        ("orders", "0005_order_shipping_days_seller_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="aftersale", name="quantity", field=models.PositiveIntegerField(null=True)
        ),
        migrations.RunPython(whole_orders, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="aftersale", name="quantity", field=models.PositiveIntegerField()
        ),
    ]
