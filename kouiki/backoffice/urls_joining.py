"""Back office: 事業者マスタ登録 of join applications (/backoffice/joining/)."""

from django.urls import path

from kouiki.backoffice.views import joining

urlpatterns = [
    path("", joining.joining_list, name="joining_list"),
    path("<int:pk>/assign/", joining.joining_assign, name="joining_assign"),
]
