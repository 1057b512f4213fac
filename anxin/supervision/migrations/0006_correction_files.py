"""A seller's answer to an order to correct may carry several files (CorrectionFile): the one
file an answer could carry before moves there, with its type and digest."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_answer_files(apps, schema_editor):
    RegulatorAction = apps.get_model("supervision", "RegulatorAction")
    CorrectionFile = apps.get_model("supervision", "CorrectionFile")
    for a in RegulatorAction.objects.exclude(answer_file="").iterator():
        CorrectionFile.objects.create(
            action=a,
            file=a.answer_file.name,
            name=f"{a.number}-{a.answer_sha256[:16]}",
            content_type=a.answer_file_type,
            sha256=a.answer_sha256,
            uploaded_at=a.answered_at or django.utils.timezone.now(),
        )


def move_back(apps, schema_editor):
    RegulatorAction = apps.get_model("supervision", "RegulatorAction")
    CorrectionFile = apps.get_model("supervision", "CorrectionFile")
    for f in CorrectionFile.objects.order_by("-pk").iterator():
        RegulatorAction.objects.filter(pk=f.action_id).update(
            answer_file=f.file.name, answer_file_type=f.content_type, answer_sha256=f.sha256
        )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0005_data_request_files"),
    ]

    operations = [
        migrations.CreateModel(
            name="CorrectionFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file", models.FileField(upload_to="corrections/%Y/%m/")),
                ("name", models.CharField(max_length=120)),
                ("content_type", models.CharField(max_length=64)),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "action",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answer_files",
                        to="supervision.regulatoraction",
                    ),
                ),
            ],
        ),
        migrations.RunPython(move_answer_files, move_back),
        migrations.RemoveField(model_name="regulatoraction", name="answer_file"),
        migrations.RemoveField(model_name="regulatoraction", name="answer_file_type"),
        migrations.RemoveField(model_name="regulatoraction", name="answer_sha256"),
    ]
