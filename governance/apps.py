from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from governance import account_messages, lookups, registrations, signals  # noqa: F401 (lookups registers ``any_of``)

        registrations.register()
        account_messages.register()

        from governance import auth_audit  # noqa: F401 (connects the account events to the audit trail)
        from governance.api_support import install_serializer_fields

        install_serializer_fields()
