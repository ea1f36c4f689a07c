from django.apps import AppConfig


class ChairmanshipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chairmanship"
