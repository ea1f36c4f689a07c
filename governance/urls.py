from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("", views.chart, name="chart"),
    path("bodies/<str:acronym>/", views.body_detail, name="body"),
]
