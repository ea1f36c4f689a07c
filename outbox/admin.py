from django.contrib import admin

from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "recipient", "status", "due_at", "sent_at", "attempts"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "recipient"]
    date_hierarchy = "due_at"
    readonly_fields = [f.name for f in Message._meta.fields]
