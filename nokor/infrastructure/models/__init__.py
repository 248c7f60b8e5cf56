"""The infrastructure app's models, one module per part: sites and connectivity, assets, the registry
of digital systems, monitors (monitoring.py) and risks (risks.py)."""

from nokor.infrastructure.models.assets import Asset
from nokor.infrastructure.models.monitoring import *  # noqa: F403
from nokor.infrastructure.models.risks import *  # noqa: F403
from nokor.infrastructure.models.sites import INFRA_CHANGE, INFRA_VIEW, Connectivity, Site
from nokor.infrastructure.models.systems import DigitalSystem

__all__ = ["INFRA_CHANGE", "INFRA_VIEW", "Asset", "Connectivity", "DigitalSystem", "Site"]
