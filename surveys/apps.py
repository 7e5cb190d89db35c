from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        # A person's language is put in their session as they sign in (DESIGN §2).
        from surveys.languages import signals  # noqa: F401

        # Celery discovers task modules only when a worker starts; services enqueue
        # tasks by name from any process, so each app registers its own here.
        from surveys.rounds import tasks  # noqa: F401
