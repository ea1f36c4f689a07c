from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("meetings", "0018_public_pages")]

    operations = [
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["start", "id"], name="meeting_start_id_idx"),
        ),
    ]
