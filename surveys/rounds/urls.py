from django.urls import path

from surveys.rounds import views as rounds

app_name = "rounds"

urlpatterns = [
    path("", rounds.round_list, name="list"),
    path("new/", rounds.round_create, name="create"),
    path("<int:pk>/", rounds.round_detail, name="detail"),
    path("<int:pk>/extend/", rounds.round_extend, name="extend"),
    path("<int:pk>/close/", rounds.round_close, name="close"),
    path("<int:pk>/reopen/", rounds.round_reopen, name="reopen"),
    path("<int:pk>/rescore/", rounds.round_rescore, name="rescore"),
    path("<int:pk>/remind/", rounds.round_remind, name="remind"),
]
