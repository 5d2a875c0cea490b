"""The member system's screens of membership: information, changes and exits at /member/ (beside
identity's member screens), and joining at /member/join/ (public, no login)."""

from django.urls import path

from kouiki.membership.views import changes as views_changes
from kouiki.membership.views import info as views_info
from kouiki.membership.views import join as views_join

# Member information screens (MEM-I1..I6), mounted at /member/ beside identity's member screens.
info_urls = (
    [
        path("info/", views_info.info, name="info"),
        path("info/history/", views_info.info_history, name="info_history"),
        path("certificate/", views_info.certificate, name="certificate"),
        path("certificate/<str:number>.pdf", views_info.certificate_pdf, name="certificate_pdf"),
        path("verify/", views_info.verify, name="verify"),
        path("changes/", views_changes.change_list, name="change_list"),
        path("changes/new/", views_changes.change_new, name="change_new"),
        path("changes/<int:pk>/", views_changes.change_detail, name="change_detail"),
        path("changes/<int:pk>/edit/", views_changes.change_edit, name="change_edit"),
        path("changes/<int:pk>/withdraw/", views_changes.change_withdraw, name="change_withdraw"),
        path("exit/succession/", views_changes.succession, name="succession"),
        path("exit/withdrawal/", views_changes.withdrawal, name="withdrawal"),
    ],
    "membership",
)


# Joining (会員加入, seed 003 chapter 1), mounted at /member/join/: public screens, no login.
join_urls = (
    [
        path("", views_join.link, name="link"),
        path("provisional/received/", views_join.received, name="received"),
        path("provisional/<str:token>/", views_join.provisional, name="provisional"),
        path("main/", views_join.main, name="main"),
        path("main/application/", views_join.main_edit, name="main_edit"),
        path("main/done/", views_join.main_done, name="main_done"),
    ],
    "join",
)
