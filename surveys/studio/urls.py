from django.urls import path

from surveys.studio import views

app_name = "questionnaires"

urlpatterns = [
    path("", views.studio, name="studio"),
    path("load/", views.version_load, name="load"),
    path("new/", views.questionnaire_new, name="new"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("versions/<int:pk>/copy/", views.version_copy_view, name="copy"),
    path("versions/<int:pk>/settings/", views.settings_save, name="settings"),
    path("versions/<int:pk>/areas/", views.area_add, name="area-add"),
    path("versions/<int:pk>/changes/", views.draft_changes, name="changes"),
    path("versions/<int:pk>/diff/", views.version_diff_view, name="diff"),
    path("versions/<int:pk>/publish/", views.version_publish_view, name="publish"),
    path("versions/<int:pk>/archive/", views.version_archive_view, name="archive"),
    path("versions/<int:pk>/delete/", views.version_delete_view, name="delete"),
    path("versions/<int:pk>/download/", views.version_download, name="download"),
    path("versions/<int:pk>/upload/", views.version_upload, name="upload"),
    path("areas/<int:pk>/", views.area_edit, name="area"),
    path("areas/<int:pk>/items/", views.item_add, name="item-add"),
    path("items/<int:pk>/", views.item_edit, name="item"),
]
