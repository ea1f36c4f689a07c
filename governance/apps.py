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

        from governance.audit import audit
        from outbox.registry import register_operator_recorder

        # The Outbox page's retries and releases, in the one audit trail.
        register_operator_recorder(
            lambda *, request, action, summary, data: audit(
                action=action, obj=None, actor=request.user, summary=summary, data=data, request=request
            )
        )
