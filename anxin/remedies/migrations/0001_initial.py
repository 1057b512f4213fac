"""The seller's debt moves here from after-sales. Only Django's picture of the models changes:
the table, its rows and its constraints stay exactly as they are (aftersales 0005 drops the
old model from the state, 0002 here renames the table), so a running database loses nothing."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("aftersales", "0004_aftersale_seller"),
        ("disputes", "0003_admission"),
        ("orders", "0005_order_shipping_days_seller_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SellerDebt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "creditor",
                            models.CharField(
                                choices=[("buyer", "The buyer"), ("fund", "The guarantee fund")],
                                default="buyer",
                                max_length=8,
                            ),
                        ),
                        ("amount_fen", models.BigIntegerField()),
                        ("repaid_fen", models.BigIntegerField(default=0)),
                        ("created_at", models.DateTimeField()),
                        ("settled_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "after_sale",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="debts",
                                to="aftersales.aftersale",
                            ),
                        ),
                        (
                            "buyer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "dispute",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="debts",
                                to="disputes.dispute",
                            ),
                        ),
                        (
                            "order",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="debts",
                                to="orders.order",
                            ),
                        ),
                        (
                            "seller",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "aftersales_sellerdebt",
                        "indexes": [
                            models.Index(
                                fields=["seller", "settled_at"], name="aftersales__seller__f64ead_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("amount_fen__gt", 0),
                                    ("repaid_fen__gte", 0),
                                    ("repaid_fen__lte", models.F("amount_fen")),
                                ),
                                name="aftersales_debt_amounts",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
