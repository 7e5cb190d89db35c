from django.urls import path

from surveys.languages.views import language_switch

# The same address and name as Django's set_language, which this view wraps.
urlpatterns = [path("setlang/", language_switch, name="set_language")]
