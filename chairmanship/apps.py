from django.apps import AppConfig


class ChairmanshipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chairmanship"

    def ready(self) -> None:
        from chairmanship import handover_messages, registrations, rights

        registrations.register()
        rights.register()
        handover_messages.register()
