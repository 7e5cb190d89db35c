from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        # Celery discovers task modules only when a worker starts; services enqueue
        # tasks by name from any process, so each app registers its own here.
        from surveys.initiatives import tasks as initiative_tasks  # noqa: F401
        from surveys.rounds import tasks  # noqa: F401
