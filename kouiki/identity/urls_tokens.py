"""API tokens of the switching system's users: include at `switching/tokens/` (kouiki/urls.py)."""

from django.urls import path

from kouiki.identity.views import tokens

app_name = "sw_tokens"

urlpatterns = [
    path("", tokens.token_list, name="list"),
    path("<int:pk>/revoke/", tokens.token_revoke, name="revoke"),
]
