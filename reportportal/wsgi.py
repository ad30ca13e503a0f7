import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportportal.settings")
application = get_wsgi_application()

# After django.setup() above; refuses to serve in production without the static manifest.
from reportportal.startup import refuse_to_start_if_not_ready, warm_up  # noqa: E402

refuse_to_start_if_not_ready()
warm_up()
