"""URLs of the calendar side: RSVP, feeds, preferences, the inbound webhook (included by
``meetings/urls.py``)."""

from django.urls import path

from meetings.calendar import feeds, preference_views, rsvp, webhook

urlpatterns = [
    path("meetings/<int:pk>/rsvp/", rsvp.rsvp_post, name="rsvp"),
    path("meetings/<int:pk>/calendar.ics", feeds.meeting_ics, name="meeting_ics"),
    path("rsvp/<str:token>/", rsvp.rsvp_link, name="rsvp_link"),
    path("calendar/feed/<str:token>.ics", feeds.user_feed, name="feed"),
    path("calendar/bodies/<str:acronym>.ics", feeds.body_feed, name="body_feed"),
    path("calendar/notifications/", preference_views.my_notifications, name="my_notifications"),
    path(
        "calendar/notifications/everyone/",
        preference_views.notifications_overview,
        name="notifications_overview",
    ),
    # Mailgun sends the raw MIME (``body-mime``) to a forward() URL ending in "mime".
    path(
        "calendar/inbound/mailgun/mime", webhook.inbound_webhook, {"provider": "mailgun"}, name="itip_webhook"
    ),
    path("calendar/inbound/<str:provider>/", webhook.inbound_webhook, name="itip_webhook_provider"),
]
