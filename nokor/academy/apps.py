from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "nokor.academy"
    label = "academy"
    verbose_name = _("Academy")

    def ready(self) -> None:
        from nokor.academy import assignments, personal_data  # noqa: F401  (registers its section)
        from nokor.core.navigation import MenuEntry
        from nokor.core.navigation import register as register_menu_entry
        from nokor.documents.registry import DocumentType, FieldLabel, register

        # Bilingual on purpose, not translated (see nokor.documents.registry).
        register(
            DocumentType(
                slug="academy_certificate",
                title_km="វិញ្ញាបនបត្របញ្ចប់វគ្គបណ្តុះបណ្តាល",
                title_en="Certificate of completion",
                fields={
                    "holder_name": FieldLabel("ឈ្មោះ", "Name"),
                    "course": FieldLabel("វគ្គសិក្សា", "Course"),
                    "completed_on": FieldLabel("ថ្ងៃបញ្ចប់វគ្គ", "Completed on"),
                },
            )
        )
        # Staff given a role later are enrolled at once by the active assignment rules (the nightly
        # reconciliation catches anything missed).
        assignments.connect_signals()
        register_menu_entry(MenuEntry("academy:staff_home", _("Training"), position=30))
