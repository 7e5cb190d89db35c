from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        # A person's language is put in their session as they sign in (DESIGN §2).
        # Celery discovers task modules only when a worker starts; services enqueue
        # tasks by name from any process, so each app registers its own here.
        # The badges' cache forgets a drawing when its product's scores change.
        from surveys.badges import receivers as _badges  # noqa: F401
        from surveys.initiatives import tasks as _initiatives  # noqa: F401
        from surveys.languages import signals  # noqa: F401
        from surveys.organisation import tasks as _organisation  # noqa: F401
        from surveys.reviews import tasks as _reviews  # noqa: F401
        from surveys.rounds import tasks as _rounds  # noqa: F401
        from surveys.tokens import authentication as _tokens  # noqa: F401  (its API docs scheme)
        from surveys.watches import receivers as _watches  # noqa: F401  (evidence → watches)
        from surveys.watches import tasks as _watch_tasks  # noqa: F401
