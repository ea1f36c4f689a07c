from django.urls import path

from chairmanship import views

app_name = "chairmanship"

urlpatterns = [
    path("<str:acronym>/timeline/", views.timeline, name="timeline"),
]
