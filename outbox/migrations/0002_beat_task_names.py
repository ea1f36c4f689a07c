"""Beat keeps its periodic tasks in the database (django-celery-beat): the sweep moved to the outbox under a
new task name, so an existing database must stop firing the old, no longer registered name."""

from django.db import migrations

RENAMES = {
    # entry name: (old entry name, old task name, new task name)
    "outbox-sweep": ("meetings-sweep-notifications", "meetings.tasks.sweep_notifications", "outbox.tasks.sweep"),
}


def forward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for new_name, (old_name, old_task, new_task) in RENAMES.items():
        PeriodicTask.objects.filter(task=old_task).update(task=new_task)
        if not PeriodicTask.objects.filter(name=new_name).exists():
            PeriodicTask.objects.filter(name=old_name).update(name=new_name)


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for new_name, (old_name, old_task, new_task) in RENAMES.items():
        PeriodicTask.objects.filter(task=new_task).update(task=old_task)
        if not PeriodicTask.objects.filter(name=old_name).exists():
            PeriodicTask.objects.filter(name=new_name).update(name=old_name)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forward, backward)]
