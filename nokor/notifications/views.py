"""The in-app inbox and notification preferences."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from nokor.core.access import SIGNED_IN, get_for_user, rule
from nokor.notifications import selectors, services
from nokor.notifications.models import Message, Preference


@rule(SIGNED_IN)
def inbox(request):
    page = Paginator(selectors.inbox_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page_obj": page})


@rule(SIGNED_IN)
def message_detail(request, pk):
    message = get_for_user(Message.objects.filter(channel="inbox"), request.user, pk=pk)
    if message.read_at is None:
        services.inbox_mark_read(user=request.user, message=message)
    return render(request, "notifications/message.html", {"message": message})


@rule(SIGNED_IN)
@require_POST
def mark_all_read(request):
    services.inbox_mark_read(user=request.user)
    return redirect("notifications:inbox")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "sms"]


@rule(SIGNED_IN)
def preferences(request):
    current = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.preference_set(
            user=request.user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"]
        )
        from django.contrib import messages

        messages.success(request, _("Your choices were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
