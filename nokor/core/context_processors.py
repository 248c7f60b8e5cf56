"""Values every page needs: site name, demo mode, unread messages, the staff menu, the CSP nonce for htmx."""

from django.conf import settings


def site(request):
    context = {"DEMO": settings.DEMO, "SITE_URL": settings.SITE_URL}
    if hasattr(request, "csp_nonce"):
        context["csp_nonce"] = request.csp_nonce  # lazy; django-htmx's {% htmx_script %} reads this name
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from nokor.notifications.selectors import unread_count

        context["inbox_unread"] = unread_count(user)
        if user.is_staff:
            from nokor.core.navigation import staff_menu

            context["staff_menu"] = staff_menu(user)
    return context
