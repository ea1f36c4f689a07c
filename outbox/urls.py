from django.urls import path

from outbox import views

app_name = "outbox"

urlpatterns = [
    path("", views.outbox, name="index"),
    path("messages/<str:name>", views.outbox_message, name="message"),
    path("<int:pk>/retry/", views.outbox_retry, name="retry"),
    path("retry-failed/", views.outbox_retry_failed, name="retry-failed"),
    path("held/", views.outbox_held, name="held"),
]
