import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlopsscore.settings")
application = get_wsgi_application()

# Import every view (and what they import: pandas, Plotly) as the worker starts, so the
# first request after a deploy does not wait for them (DESIGN §5).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
