"""The one access layer.

Two halves, both declared as data:

* **View rules.** Every view declares who may use it with :func:`rule` (or :func:`guard` for views we do
  not own, such as allauth's). :class:`AccessRuleMiddleware` refuses to run a view that declares none, and
  a test walks the URL map so a forgotten rule fails the build before it fails closed in production.
* **Record rules.** Every model that holds non-public data declares ``access = RecordRule(...)`` once. From
  it come the queryset filter (``Model.objects.visible_to(user, action)``) and the object check
  (:func:`get_for_user`), so the two can never disagree. A record outside the user's scope is simply not
  in the queryset: a wrong id is a 404, never someone else's record; a visible record the user may not
  change is a 403.

Scopes follow the administrative tree: a role held at a unit applies to that unit and everything under
it. Unit codes are hierarchical (province ``08``, district ``0801``, commune ``080101``, village
``08010101``), so "under Kandal" is a prefix match on an indexed column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import URLPattern, URLResolver

if TYPE_CHECKING:
    from nokor.accounts.models import User

VIEW, CHANGE = "view", "change"


# --------------------------------------------------------------------------------------------------
# View rules
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ViewRule:
    """Who may open a view: everyone, any signed-in person, citizens, or staff holding one of `roles`."""

    kind: str  # "public" | "signed_in" | "citizen" | "staff" | "api"
    roles: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> str:
        if self.kind == "staff" and self.roles:
            return "staff:" + ",".join(sorted(self.roles))
        return self.kind

    def check(self, request: HttpRequest) -> None:
        """Raise (or signal a redirect to sign-in) when the request may not use the view."""
        self.check_user(request.user)

    def admits(self, user: Any) -> bool:
        """Whether `user` may open the view (the menu shows only the pages its reader may open)."""
        try:
            self.check_user(user)
        except (_SignInRequired, PermissionDenied):
            return False
        return True

    def check_user(self, user: Any) -> None:
        if self.kind in ("public", "api"):
            return
        if not user.is_authenticated:
            raise _SignInRequired
        if self.kind == "signed_in":
            return
        if self.kind == "citizen":
            if user.is_staff:
                raise PermissionDenied("Citizen pages are for citizen accounts.")
            return
        # staff
        if not user.is_staff:
            raise PermissionDenied("Staff only.")
        if self.roles and not user.has_any_role(self.roles):
            raise PermissionDenied("Your roles do not allow this page.")


PUBLIC = ViewRule("public")
SIGNED_IN = ViewRule("signed_in")
CITIZEN = ViewRule("citizen")
STAFF = ViewRule("staff")
# API operations authenticate per operation in Ninja (session or API key); the rule is declared there.
API = ViewRule("api")


def staff_with(*roles: str) -> ViewRule:
    return ViewRule("staff", frozenset(roles))


class _SignInRequired(Exception):
    pass


def rule(view_rule: ViewRule) -> Callable:
    """Declare the access rule of a function view (or of the result of ``as_view()``)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any):
            return view(request, *args, **kwargs)

        wrapped.access_rule = view_rule  # type: ignore[attr-defined]
        return wrapped

    return decorator


def guard(view_rule: ViewRule, patterns: Any) -> Any:
    """Declare one rule for every view of an ``include()`` we do not own (allauth, admin)."""
    for pattern in _walk(patterns):
        if not hasattr(pattern.callback, "access_rule"):
            pattern.callback.access_rule = view_rule
    return patterns


def _walk(patterns: Any) -> Iterable[URLPattern]:
    if isinstance(patterns, tuple):  # the result of include()
        patterns = patterns[0]
    if isinstance(patterns, URLResolver):
        patterns = patterns.url_patterns
    if hasattr(patterns, "urlpatterns"):
        patterns = patterns.urlpatterns
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _walk(item.url_patterns)
        else:
            yield item


def view_rule_of(callback: Callable) -> ViewRule | None:
    found = getattr(callback, "access_rule", None)
    if found is None and hasattr(callback, "view_class"):
        found = getattr(callback.view_class, "access_rule", None)
    return found


class AccessRuleMiddleware:
    """Runs each view's declared rule; a view that declares none is refused (fail closed)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any):
        declared = view_rule_of(view_func)
        if declared is None:
            if settings.DEBUG:
                raise ImproperlyConfigured(f"View {view_func!r} declares no access rule.")
            raise PermissionDenied("No access rule declared.")
        try:
            declared.check(request)
        except _SignInRequired:
            from django.contrib.auth.views import redirect_to_login  # imports the user model: not at load

            return redirect_to_login(request.get_full_path())
        return None


# --------------------------------------------------------------------------------------------------
# Record rules
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordRule:
    """How a model's records are scoped.

    ``unit_field``: lookup path to the record's ``AdministrativeUnit`` (staff see records in the subtree
    of a unit where they hold a role listed for the action). ``owner_field``: lookup path (or a tuple of
    them) to the user(s) the record belongs to (who may view it, and change it when ``owner_can_change``).
    ``roles``: for each action, the roles that grant it within their unit. ``public``: a filter of
    records anyone may view.
    """

    roles: dict[str, frozenset[str]]
    unit_field: str | None = None
    owner_field: str | tuple[str, ...] | None = None
    owner_can_change: bool = False
    public: Q | None = None

    def filter_for(self, user: User | Any, action: str) -> Q | None:
        """The Q a user's visible records satisfy, or None when they may see nothing."""
        parts: list[Q] = []
        if action == VIEW and self.public is not None:
            parts.append(self.public)
        if user is None or not user.is_authenticated or not user.is_active:
            return _any(parts)
        if self.owner_field and (action == VIEW or self.owner_can_change):
            owners = (self.owner_field,) if isinstance(self.owner_field, str) else self.owner_field
            parts.extend(Q(**{owner: user}) for owner in owners)
        roles = self.roles.get(action, frozenset())
        if user.is_staff and roles:
            prefixes = user.unit_prefixes_for(roles)
            if prefixes is not None:
                if "" in prefixes or self.unit_field is None:
                    parts.append(Q(pk__isnull=False))  # nationwide role (or unscoped model): everything
                else:
                    for prefix in sorted(prefixes):
                        parts.append(Q(**{f"{self.unit_field}__code__startswith": prefix}))
        return _any(parts)


def _any(parts: list[Q]) -> Q | None:
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows its model's :class:`RecordRule`."""

    def visible_to(self, user: Any, action: str = VIEW) -> ScopedQuerySet:
        record_rule = getattr(self.model, "access", None)
        if not isinstance(record_rule, RecordRule):
            raise ImproperlyConfigured(f"{self.model.__name__} declares no RecordRule in `access`.")
        condition = record_rule.filter_for(user, action)
        if condition is None:
            return self.none()
        return self.filter(condition)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def get_for_user(queryset: models.QuerySet, user: Any, *, action: str = VIEW, **lookup: Any) -> Any:
    """Fetch one record through the access layer.

    Not visible at all: 404 (the same answer as a missing record). Visible but not allowed ``action``: 403.
    """
    visible = queryset.visible_to(user, VIEW)
    try:
        obj = visible.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    if action == VIEW:
        return obj
    if not queryset.model._default_manager.visible_to(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj
