"""The WSGI application (granian, or any WSGI server)."""

import gc
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nokor.settings")

# After this many requests a process freezes what it has built again: the templates, catalogues and
# caches of the pages it served first.
FREEZE_AFTER_REQUESTS = (100, 1_000, 10_000)


def _freeze() -> None:
    """Move every object alive now out of the garbage collector's reach (gc.freeze). Otherwise each full
    collection walks all the long-lived objects: a pause of 100–185 ms every few hundred requests
    (measured on the queue page and the asset list), which every request waiting behind it pays; after
    freezing, one takes about 2 ms."""
    gc.collect()
    gc.freeze()


def _warm_and_freeze() -> None:
    """Load what every request uses (the URL map, the templates, both catalogues) now, then freeze it."""
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    for language in ("km", "en"):
        with translation.override(language):
            translation.gettext("Nokor")
    get_template("base.html")
    _freeze()


class FreezeAsItWarms:
    """The application, freezing the process's long-lived objects again after its 100th, 1,000th and
    10,000th request: the first pages of each kind compile their templates and fill caches (100,000
    objects more on the infrastructure pages), which the start-up freeze cannot know. A fixed number of
    times, so what those freezes keep from being collected stays bounded."""

    def __init__(self, app, after: tuple[int, ...] = FREEZE_AFTER_REQUESTS) -> None:
        self.app = app
        self.after = frozenset(after)
        self.served = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        response = self.app(environ, start_response)
        with self.lock:
            self.served += 1
            due = self.served in self.after
        if due:
            _freeze()
        return response


application = FreezeAsItWarms(get_wsgi_application())
_warm_and_freeze()
