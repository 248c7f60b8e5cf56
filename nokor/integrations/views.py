"""The partner pages (administrators): organisations, their API keys and webhook subscriptions, and the
log of webhook deliveries with a manual re-send. A key's or a subscription's secret is shown once, on the
page that answers its creation, and never again."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nokor.accounts.roles import Role
from nokor.core.access import CHANGE, get_for_user, rule, staff_with
from nokor.integrations import selectors, services
from nokor.integrations.events import EVENTS
from nokor.integrations.forms import ApiKeyForm, OrganisationForm, SubscriptionForm
from nokor.integrations.models import ApiKey, Delivery, DeliveryAttempt, Organisation, Subscription
from nokor.integrations.scopes import SCOPES

ADMINISTRATORS = staff_with(Role.ADMINISTRATOR)
PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@rule(ADMINISTRATORS)
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The partner organisations, with their working keys and active subscriptions."""
    organisations = selectors.organisations_for(request.user)
    page_obj = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return _private(render(request, "integrations/organisations.html", {"page_obj": page_obj}))


@rule(ADMINISTRATORS)
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Register a partner (and its service account)."""
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Organisation added. Create an API key for its systems."))
        return redirect("integrations:organisation", pk=organisation.pk)
    return _private(render(request, "integrations/organisation_form.html", {"form": form}))


@rule(ADMINISTRATORS)
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation: its contact, keys (scopes, expiry, last use, calls) and webhook subscriptions."""
    organisation = get_for_user(Organisation.objects.all(), request.user, pk=pk)
    keys = list(selectors.keys_of(organisation, request.user))
    for key in keys:
        key.scope_list = [(scope, SCOPES.get(scope, scope)) for scope in key.scopes]
    context = {
        "organisation": organisation,
        "keys": keys,
        "subscriptions": selectors.subscriptions_of(organisation, request.user),
        "member_count": organisation.members.count(),
        "contact_lines": [
            line
            for line in (organisation.contact_name, organisation.contact_email, organisation.contact_phone)
            if line
        ],
    }
    return _private(render(request, "integrations/organisation.html", context))


@rule(ADMINISTRATORS)
def api_key_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new key for an organisation; the answer shows its token once."""
    organisation = get_for_user(Organisation.objects.all(), request.user, action=CHANGE, pk=pk)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, token = services.api_key_create(
            by=request.user,
            organisation=organisation,
            label=form.cleaned_data["label"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.expires_at(),
            rate_limit=form.cleaned_data["rate_limit"],
        )
        context = {"organisation": organisation, "key": key, "token": token}
        return _private(render(request, "integrations/api_key_created.html", context))
    context = {"organisation": organisation, "form": form}
    return _private(render(request, "integrations/api_key_form.html", context))


@rule(ADMINISTRATORS)
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a key: the organisation's systems using it are refused from their next call."""
    key = get_for_user(ApiKey.objects.all(), request.user, action=CHANGE, pk=pk)
    services.api_key_revoke(by=request.user, key=key)
    messages.success(request, _("The key %(label)s is revoked.") % {"label": key.label})
    return redirect("integrations:organisation", pk=key.organisation_id)


@rule(ADMINISTRATORS)
def subscription_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new webhook subscription; the answer shows its signing secret once."""
    organisation = get_for_user(Organisation.objects.all(), request.user, action=CHANGE, pk=pk)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = services.subscription_create(
                by=request.user,
                organisation=organisation,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except ValidationError as error:  # the address changed between the form's check and now
            form.add_error("url", error)
        else:
            context = {"organisation": organisation, "subscription": subscription, "secret": secret}
            return _private(render(request, "integrations/subscription_created.html", context))
    context = {"organisation": organisation, "form": form}
    return _private(render(request, "integrations/subscription_form.html", context))


@rule(ADMINISTRATORS)
@require_POST
def subscription_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop sending events to a subscription."""
    subscription = get_for_user(Subscription.objects.all(), request.user, action=CHANGE, pk=pk)
    services.subscription_deactivate(by=request.user, subscription=subscription)
    messages.success(request, _("No more events will be sent to %(url)s.") % {"url": subscription.url})
    return redirect("integrations:organisation", pk=subscription.organisation_id)


@rule(ADMINISTRATORS)
def delivery_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The webhook deliveries of an organisation, newest first, each with its latest attempt."""
    organisation = get_for_user(Organisation.objects.all(), request.user, pk=pk)
    deliveries = selectors.deliveries_of(organisation, request.user)
    page_obj = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"organisation": organisation, "page_obj": page_obj, "events": EVENTS}
    return _private(render(request, "integrations/deliveries.html", context))


@rule(ADMINISTRATORS)
def delivery_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """One delivery: what was sent and every attempt (code, duration, start of the answer or error)."""
    delivery = get_for_user(
        Delivery.objects.select_related("subscription__organisation").prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("-attempted_at"))
        ),
        request.user,
        pk=pk,
    )
    payload_json = json.dumps(delivery.payload, ensure_ascii=False, indent=2)
    context = {"delivery": delivery, "payload_json": payload_json}
    return _private(render(request, "integrations/delivery.html", context))


@rule(ADMINISTRATORS)
@require_POST
def delivery_resend(request: HttpRequest, pk: str) -> HttpResponse:
    """Send a delivery again (with a new day of retries)."""
    delivery = get_for_user(Delivery.objects.all(), request.user, action=CHANGE, pk=pk)
    delivery = services.delivery_resend(by=request.user, delivery=delivery)
    messages.success(request, _("The delivery is queued to be sent again."))
    return redirect("integrations:delivery", pk=delivery.pk)
