"""Capacity Market System (容量市場システム): login, password, menu, own profile."""

from kouiki.core.systems import System
from kouiki.identity.urls_system import patterns_for

app_name = "capacity"
urlpatterns = patterns_for(System.CAPACITY)
