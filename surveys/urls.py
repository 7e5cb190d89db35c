from django.urls import include, path

from surveys.assessments import views as assessments
from surveys.guidelines import views as guidelines
from surveys.organisation import home
from surveys.organisation import views as products

urlpatterns = [
    path("", home.home, name="home"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment"),
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
    path("assessments/<int:pk>/print/", assessments.assessment_print, name="assessment-print"),
    path(
        "assessments/<int:pk>/confirm-carried/",
        assessments.carried_confirm_view,
        name="assessment-confirm-carried",
    ),
    # One page per product, in the reader's language (DESIGN §6.5, §6.6).
    path("", include("surveys.cihelp.urls")),
    path("products/<slug:slug>/", products.product_detail, name="product"),
    path("guidelines/<slug:slug>/", guidelines.guideline_detail, name="guideline"),
]
