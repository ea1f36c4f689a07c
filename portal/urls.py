"""The portal's pages keep the URL names they had before they moved here: the chart and a body's page in
the ``governance`` namespace, the dashboard in ``meetings``, the profile beside the account pages.
``config/urls.py`` mounts each list with the app whose namespace it shares."""

from django.urls import path

from portal import dashboard, lists, profile, public, search, views, work

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

# The portal's own pages (namespace ``portal``): lists with filters and exports, search, the work queue.
portal_pages = [
    path("search/", search.search_page, name="search"),
    path("work-queue/", work.work_queue_page, name="work_queue"),
    path("chair/", work.chair_overview_page, name="chair_overview"),
    path("action-items/", lists.action_items, name="action_items"),
    path("action-items/<int:pk>/update/", lists.action_item_update, name="action_item_update"),
    path("meetings/<int:pk>/lists/participants/", lists.participants, name="participants"),
    path("meetings/<int:pk>/lists/attendance/", lists.attendance, name="attendance"),
]

# The public pages (namespace ``public``): no login, nothing that is not published (docs/decisions/0049).
public_pages = [
    path("public/", public.index, name="index"),
    path("public/bodies/<str:acronym>/", public.body, name="body"),
    path("public/meetings/<int:pk>/", public.meeting, name="meeting"),
    path("public/meetings/<int:pk>/agenda/", public.agenda, name="agenda"),
    path("public/decisions/<int:pk>/", public.decision, name="decision"),
    path("public/papers/<int:pk>/", public.paper, name="paper"),
    path("public/sitemap.xml", public.sitemap, name="sitemap"),
    path("robots.txt", public.robots_txt, name="robots_txt"),
]
