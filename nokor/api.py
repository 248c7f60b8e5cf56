"""The one API object; every app mounts its router here under /api/v1/."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Nokor API",
    version="1.0.0",
    urls_namespace="api",
    description="Public and partner API of the Nokor platform of the Ministry of Interior.",
)
api.add_router("/documents/", "nokor.documents.api.router")
api.add_router("/", "nokor.services.api.router")
api.add_router("/cyber/", "nokor.cyber.api_reports.router")
api.add_router("/", "nokor.cyber.api_check.router")
