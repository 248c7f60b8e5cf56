"""The WSGI application (granian, or any WSGI server)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nokor.settings")
application = get_wsgi_application()


def _warm_and_freeze() -> None:
    """Load what every request uses (the URL map, the templates, both catalogues) now, then move all of
    it out of the garbage collector's reach (gc.freeze). Otherwise each full collection walks those
    300,000 long-lived objects: a 185 ms pause every few hundred requests, measured on the queue page,
    which every request waiting behind it pays."""
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    for language in ("km", "en"):
        with translation.override(language):
            translation.gettext("Nokor")
    get_template("base.html")
    gc.collect()
    gc.freeze()


_warm_and_freeze()
