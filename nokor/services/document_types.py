"""The documents the e-services issue, registered with the documents app (the residence certificate is
registered there with its own template; the others are decision letters sharing one template)."""

from __future__ import annotations

from nokor.documents.registry import DocumentType, FieldLabel, register

_FIELDS = {"holder_name": FieldLabel("ឈ្មោះ", "Name"), "reference": FieldLabel("លេខយោង", "Reference number")}
DECISION_TEMPLATE = "documents/pdf/service_decision.html"

DECISION_LETTERS = [
    ("birth_certificate_copy", "ច្បាប់ចម្លងសំបុត្រកំណើត", "Copy of a birth certificate"),
    (
        "association_registration",
        "លិខិតបញ្ជាក់ការចុះបញ្ជីសមាគម ឬអង្គការមិនមែនរដ្ឋាភិបាល",
        "Registration of an association or non-governmental organisation",
    ),
    (
        "assembly_notice_acknowledgement",
        "លិខិតទទួលស្គាល់ការជូនដំណឹងអំពីការប្រមូលផ្តុំ",
        "Acknowledgement of a notice of assembly",
    ),
    (
        "id_card_appointment",
        "លិខិតណាត់ជួបដើម្បីធ្វើអត្តសញ្ញាណប័ណ្ណសញ្ជាតិខ្មែរ",
        "Appointment for a Khmer national identity card",
    ),
    ("family_book_update", "លិខិតបញ្ជាក់ការកែប្រែសៀវភៅគ្រួសារ", "Confirmation of a family book update"),
]


def register_all() -> None:
    for slug, title_km, title_en in DECISION_LETTERS:
        register(
            DocumentType(
                slug=slug,
                title_km=title_km,
                title_en=title_en,
                fields=_FIELDS,
                template_name=DECISION_TEMPLATE,
            )
        )
