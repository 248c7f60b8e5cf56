"""The academy's pages: the learner's here; the staff pages (assignments, imports, reports) in
urls_staff.py."""

from django.urls import path

from nokor.academy import views
from nokor.academy.urls_staff import staff_urlpatterns

app_name = "academy"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.my_learning, name="my_learning"),
    path("attempts/<int:pk>/", views.attempt, name="attempt"),
    path("courses/<slug:slug>/", views.course, name="course"),
    path("courses/<slug:slug>/enrol/", views.enrol, name="enrol"),
    path("courses/<slug:slug>/continue/", views.continue_course, name="continue"),
    path("courses/<slug:slug>/print/", views.print_course, name="print"),
    path("courses/<slug:slug>/download/", views.download, name="download"),
    path("courses/<slug:slug>/images/<str:name>", views.image, name="image"),
    path("courses/<slug:slug>/lessons/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path("courses/<slug:slug>/quizzes/<slug:quiz_slug>/", views.quiz, name="quiz"),
    *staff_urlpatterns,
]
