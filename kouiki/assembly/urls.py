app_name = "assembly"
urlpatterns: list = []
