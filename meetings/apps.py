from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"

    def ready(self) -> None:
        from governance.models import MemberState
        from meetings import registrations, rights
        from meetings.calendar.tasks import register_with_outbox
        from meetings.times import forget_zone_labels

        registrations.register()
        rights.register()
        register_with_outbox()  # the meeting kinds of message, and the Celery tasks of the calendar side

        post_save.connect(forget_zone_labels, sender=MemberState, dispatch_uid="zone-labels-saved")
        post_delete.connect(forget_zone_labels, sender=MemberState, dispatch_uid="zone-labels-deleted")
