"""The portal's pages keep the URL names they had before they moved here: the chart and a body's page in
the ``governance`` namespace, the dashboard in ``meetings``, the profile beside the account pages.
``config/urls.py`` mounts each list with the app whose namespace it shares."""

from django.urls import path

from portal import dashboard, profile, views

governance_pages = [
    path("", views.chart, name="chart"),
    path("bodies/<str:acronym>/", views.body_detail, name="body"),
]

meetings_pages = [
    path("", dashboard.dashboard, name="dashboard"),
]

account_pages = [
    path("profile/", profile.profile, name="profile"),
    path("profile/feed/rotate/", profile.rotate_feed, name="profile_feed_rotate"),
]
