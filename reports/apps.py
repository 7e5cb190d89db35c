from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Registered in every process: ``surveys`` enqueues the round report by name.
        from reports import tasks  # noqa: F401
