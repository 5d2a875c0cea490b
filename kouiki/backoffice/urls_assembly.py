"""Back office: general meetings (/backoffice/assembly/): meetings, voting rights, convocations,
answers and results, and the venue's check-in (MEM-G4)."""

from django.urls import path

from kouiki.backoffice.views import assembly

urlpatterns = [
    path("", assembly.meeting_list, name="assembly_list"),
    path("new/", assembly.meeting_create, name="assembly_create"),
    path("<int:pk>/", assembly.meeting_detail, name="assembly_detail"),
    path("<int:pk>/edit/", assembly.meeting_edit, name="assembly_edit"),
    path("<int:pk>/voting-rights/", assembly.voting_rights, name="assembly_voting_rights"),
    path("<int:pk>/convene/", assembly.convene, name="assembly_convene"),
    path("<int:pk>/answers/", assembly.answers, name="assembly_answers"),
    path("<int:pk>/results.csv", assembly.results_csv, name="assembly_results_csv"),
    path("<int:pk>/tally.csv", assembly.tally_csv, name="assembly_tally_csv"),
    path("<int:pk>/paper-notices.csv", assembly.paper_csv, name="assembly_paper_csv"),
    path("<int:pk>/checkin/", assembly.checkin_page, name="assembly_checkin"),
    path("<int:pk>/checkin/counts/", assembly.checkin_counts, name="assembly_checkin_counts"),
]
