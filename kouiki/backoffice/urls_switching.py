"""Back office: switching — every organization's applications and switches, read-only
(/backoffice/switching/)."""

from django.urls import path

from kouiki.backoffice.views import switching

urlpatterns = [
    path("", switching.application_list, name="switching_applications"),
    path("applications/<str:reception_number>/", switching.application_detail, name="switching_application"),
    path("switches/", switching.switch_list, name="switching_switches"),
    path("switches/<str:number>/", switching.switch_detail, name="switching_switch"),
]
