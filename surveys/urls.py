from django.urls import include, path

from surveys.assessments import views as assessments
from surveys.guidelines import views as guidelines
from surveys.pages import assessment as assessment_page
from surveys.pages import home
from surveys.pages import product as products

urlpatterns = [
    path("", home.home, name="home"),
    path("assessments/<int:pk>/", assessment_page.assessment_detail, name="assessment"),
    path(
        "assessments/<int:pk>/items/<int:item_id>/",
        assessments.answer_save,
        name="assessment-answer",
    ),
    path(
        "assessments/<int:pk>/submit/",
        assessments.assessment_submit_view,
        name="assessment-submit",
    ),
    path(
        "assessments/<int:pk>/discard/",
        assessments.assessment_discard_view,
        name="assessment-discard",
    ),
    path("assessments/<int:pk>/print/", assessment_page.assessment_print, name="assessment-print"),
    path(
        "assessments/<int:pk>/confirm-carried/",
        assessments.carried_confirm_view,
        name="assessment-confirm-carried",
    ),
    # The studio's preview of a questionnaire version, drawn by the assessment page.
    path(
        "questionnaires/versions/<int:pk>/preview/",
        assessment_page.version_preview,
        name="questionnaire-preview",
    ),
    # One page per product, in the reader's language (DESIGN §6.5, §6.6).
    path("", include("surveys.cihelp.urls")),
    path("products/<slug:slug>/", products.product_detail, name="product"),
    path("guidelines/<slug:slug>/", guidelines.guideline_detail, name="guideline"),
]
