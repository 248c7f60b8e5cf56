"""Every URL pattern declares its access rule: walk the whole URL map."""

from django.urls import URLPattern, URLResolver, get_resolver

from nokor.core.access import view_rule_of


def _patterns(resolver, prefix=""):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            yield from _patterns(item, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item.callback


def test_every_view_declares_an_access_rule():
    missing = [route for route, callback in _patterns(get_resolver()) if view_rule_of(callback) is None]
    assert missing == []


def test_the_walk_sees_every_app():
    routes = [route for route, _ in _patterns(get_resolver())]
    assert any(r.startswith("accounts/") for r in routes)
    assert any(r.startswith("admin/") for r in routes)
    assert any(r.startswith("api/v1/") for r in routes)
    assert any(r.startswith("me/") for r in routes)


def test_a_view_without_a_rule_is_refused(client, settings, monkeypatch):
    from nokor.core import views

    settings.DEBUG = False
    monkeypatch.delattr(views.home, "access_rule")
    assert client.get("/").status_code == 403
