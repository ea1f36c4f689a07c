from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from governance import lookups, signals  # noqa: F401 (lookups registers ``any_of``)

        signals.connect_chair_signals()
        signals.connect_invitation_signals()
