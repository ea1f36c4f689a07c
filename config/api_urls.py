"""The versioned API: each app registers its viewsets on one router."""

from rest_framework.routers import DefaultRouter

from chairmanship import api as chairmanship_api
from governance import api as governance_api
from meetings import api as meetings_api
from meetings.calendar import api as calendar_api

router = DefaultRouter()
for app_api in (governance_api, chairmanship_api, meetings_api, calendar_api):
    app_api.register(router)

urlpatterns = (
    router.urls
    + governance_api.extra_urls
    + chairmanship_api.extra_urls
    + meetings_api.extra_urls
    + calendar_api.extra_urls
)
