"""Back office: terms of use of the three systems (/backoffice/terms/, X-T1)."""

from django.urls import path

from kouiki.backoffice.views import terms

urlpatterns = [
    path("", terms.version_list, name="terms_list"),
    path("new/", terms.version_create, name="terms_create"),
    path("<int:pk>/", terms.version_detail, name="terms_detail"),
    path("<int:pk>/edit/", terms.version_edit, name="terms_edit"),
    path("<int:pk>/publish/", terms.version_publish, name="terms_publish"),
    path("<int:pk>/delete/", terms.version_delete, name="terms_delete"),
]
