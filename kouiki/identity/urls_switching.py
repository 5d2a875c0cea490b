"""Switching Support System (スイッチング支援システム): login, password, menu, own profile."""

from kouiki.core.systems import System
from kouiki.identity.urls_system import patterns_for

app_name = "switching"
urlpatterns = patterns_for(System.SWITCHING)
