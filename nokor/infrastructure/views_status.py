"""The public status page of the ministry's public-facing services and its JSON feed: the same
figures (monitoring.status_figures, cached briefly and shared by both languages); the page's sections
are cached rendered, per language."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nokor.core.access import PUBLIC, rule
from nokor.core.db_router import replica_reads
from nokor.infrastructure import monitoring
from nokor.infrastructure.models import Monitor

CACHE_SECONDS = 30


def _bar_class(uptime: float | None) -> str:
    if uptime is None:
        return "none"
    if uptime >= 99.9:
        return "up"
    if uptime >= 99:
        return "degraded"
    return "down"


STATE_TONES = {
    Monitor.State.UP: "green",
    Monitor.State.DOWN: "red",
    Monitor.State.UNKNOWN: "grey",
}


def _state_label(state: str) -> str:
    return {
        Monitor.State.UP: _("Working"),
        Monitor.State.DOWN: _("Not working"),
        Monitor.State.UNKNOWN: _("Not checked yet"),
    }[state]


@rule(PUBLIC)
@replica_reads
def status_page(request: HttpRequest) -> HttpResponse:
    """Each public service's state, 90 days of daily uptime and the incidents with staff's updates. The
    sections below the heading are the same for every visitor: rendered once per language and kept as
    long as the figures (``monitoring.forget_status`` drops them after a change)."""
    key = monitoring.status_html_key(get_language())
    sections = cache.get(key)
    if sections is None:
        sections = render_to_string(
            "infrastructure/status/_sections.html", _sections(monitoring.status_figures())
        )
        cache.set(key, sections, monitoring.setting("INFRA_STATUS_CACHE_SECONDS", 30))
    response = render(request, "infrastructure/status/status.html", {"sections": mark_safe(sections)})  # noqa: S308 - our own rendering
    # The page carries the visitor's own menu: browsers may keep it briefly, shared caches not.
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    return response


def _sections(figures: dict) -> dict:
    """The context of the status page's sections, in the reader's language."""
    english = get_language() == "en"
    services = []
    for item in figures["monitors"]:
        days = [
            {
                "date": day["date"],
                "css": _bar_class(day["uptime"]),
                "label": (
                    _("%(date)s: no data") % {"date": day["date"].isoformat()}
                    if day["uptime"] is None
                    else _("%(date)s: %(uptime)s%% working")
                    % {"date": day["date"].isoformat(), "uptime": day["uptime"]}
                ),
            }
            for day in item["days"]
        ]
        services.append(
            {
                "name": item["name_en"] if english else item["name_km"],
                "state": item["state"],
                "state_label": _state_label(item["state"]),
                "tone": STATE_TONES[item["state"]],
                "uptime_90d": item["uptime_90d"],
                "days": days,
                "last_checked_at": item["last_checked_at"],
            }
        )
    incidents = [
        {
            "name": item["name_en"] if english else item["name_km"],
            "started_at": item["started_at"],
            "resolved_at": item["resolved_at"],
            "updates": [
                {
                    "when": u["posted_at"],
                    "title": _("Update"),
                    "body": (u["text_en"] or u["text_km"]) if english else u["text_km"],
                }
                for u in item["updates"]
            ],
        }
        for item in figures["incidents"]
    ]
    return {
        "services": services,
        "incidents": incidents,
        "open_incidents": [i for i in incidents if i["resolved_at"] is None],
        "all_up": all(s["state"] != Monitor.State.DOWN for s in services),
        "generated_at": figures["generated_at"],
        "first_day": figures["days"][0],
        "last_day": figures["days"][-1],
    }


@rule(PUBLIC)
@replica_reads
def status_json(request: HttpRequest) -> JsonResponse:
    """The status page's figures as JSON (both languages; times in ISO 8601, UTC offset included)."""
    figures = monitoring.status_figures()
    payload = {
        "generated_at": figures["generated_at"].isoformat(),
        "services": [
            {
                "id": item["id"],
                "name": {"km": item["name_km"], "en": item["name_en"]},
                "state": item["state"],
                "last_checked_at": item["last_checked_at"].isoformat() if item["last_checked_at"] else None,
                "uptime_90d": item["uptime_90d"],
                "days": [{"date": d["date"].isoformat(), "uptime": d["uptime"]} for d in item["days"]],
            }
            for item in figures["monitors"]
        ],
        "incidents": [
            {
                "id": item["id"],
                "service_id": item["monitor_id"],
                "service": {"km": item["name_km"], "en": item["name_en"]},
                "started_at": item["started_at"].isoformat(),
                "resolved_at": item["resolved_at"].isoformat() if item["resolved_at"] else None,
                "updates": [
                    {
                        "posted_at": u["posted_at"].isoformat(),
                        "text": {"km": u["text_km"], "en": u["text_en"]},
                    }
                    for u in item["updates"]
                ],
            }
            for item in figures["incidents"]
        ],
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    response["Access-Control-Allow-Origin"] = "*"
    return response
