import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Import every view (and what they import: pandas, Plotly's template), compile the
    report templates as the worker starts, so the first reader after a deploy waits for
    none of it (DESIGN §5)."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    from surveys.core import plotting

    get_resolver().url_patterns  # noqa: B018
    for page in ("trend", "departments", "phases", "items", "scorecard", "bottlenecks"):
        get_template(f"reports/{page}.html")
    plotting.Figure(plotting.scatter(x=[0], y=[0])).to_json()


_warm()
