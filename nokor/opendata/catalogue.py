"""The datasets the ministry publishes: one entry per builder, created in the catalogue when missing
(:func:`nokor.opendata.services.catalogue_sync`); afterwards the administrators own the metadata (an
entry already in the catalogue is never overwritten)."""

from __future__ import annotations

from typing import Any

from nokor.accounts.roles import Role
from nokor.opendata.models import Frequency, Theme

DATASETS: list[dict[str, Any]] = [
    {
        "slug": "cybercrime-reports",
        "builder": "cyber.reports",
        "title_km": "ស្ថិតិរបាយការណ៍បទល្មើសបច្ចេកវិទ្យា",
        "title_en": "Cybercrime reports statistics",
        "description_km": (
            "ចំនួនរបាយការណ៍បទល្មើសបច្ចេកវិទ្យា និងការឆបោកតាមអនឡាញដែលប្រជាពលរដ្ឋបានរាយការណ៍មកក្រសួងមហាផ្ទៃ "
            "តាមខែ ខេត្ត ប្រភេទបទល្មើស និងមធ្យោបាយដែលជនល្មើសបានទាក់ទង។ គ្មានទិន្នន័យផ្ទាល់ខ្លួន "
            "ឬការពិពណ៌នាណាមួយឡើយ។ ចំនួនតូចៗត្រូវបានលាក់ ដើម្បីការពារជនរងគ្រោះ។"
        ),
        "description_en": (
            "Cybercrime and online scam reports received by the Ministry of Interior, by month, province, "
            "kind of crime and the channel the offender used to make contact. No personal data and no "
            "narratives. Small counts are hidden to protect victims."
        ),
        "themes": f"{Theme.JUSTICE} {Theme.TECHNOLOGY}",
        "keywords_km": "បទល្មើសបច្ចេកវិទ្យា, ការឆបោកតាមអនឡាញ, សន្តិសុខសាយប័រ",
        "keywords_en": "cybercrime, online scam, cybersecurity, police reports",
        "frequency": Frequency.DAILY,
        "owner_role": Role.CYBER_SUPERVISOR,
        "position": 10,
    },
    {
        "slug": "service-performance",
        "builder": "services.performance",
        "title_km": "លទ្ធផលការងារនៃសេវាសាធារណៈ",
        "title_en": "Public service performance",
        "description_km": (
            "ចំនួនពាក្យស្នើសុំសេវាអនឡាញដែលបានដាក់ស្នើ បានសម្រេច និងបានសម្រេចទាន់ពេលវេលាដែលបានសន្យា "
            "និងចំនួនថ្ងៃមធ្យម តាមសេវា ខេត្ត និងខែ (១២ ខែចុងក្រោយ)។"
        ),
        "description_en": (
            "Applications for online services submitted, decided and decided within the promised time, and "
            "the median days to a decision, by service, province and month (the last twelve months)."
        ),
        "themes": f"{Theme.GOVERNMENT} {Theme.REGIONS}",
        "keywords_km": "សេវាសាធារណៈ, សេវាអនឡាញ, ពាក្យស្នើសុំ, ប្រសិទ្ធភាពការងារ",
        "keywords_en": "public services, online services, applications, performance",
        "frequency": Frequency.DAILY,
        "owner_role": Role.SERVICE_SUPERVISOR,
        "position": 20,
    },
    {
        "slug": "training-completions",
        "builder": "academy.completions",
        "title_km": "ការបញ្ចប់វគ្គបណ្តុះបណ្តាល",
        "title_en": "Training completions",
        "description_km": (
            "ចំនួនអ្នកដែលបានបញ្ចប់វគ្គបណ្តុះបណ្តាលនៃបណ្ឌិតសភាឌីជីថល តាមវគ្គសិក្សា ឆ្នាំ និងខេត្តនៃអង្គភាពរបស់អ្នកសិក្សា។"
        ),
        "description_en": (
            "Completions of the digital academy's training courses, by course, year and province of the "
            "learner's unit."
        ),
        "themes": f"{Theme.EDUCATION} {Theme.GOVERNMENT}",
        "keywords_km": "វគ្គបណ្តុះបណ្តាល, អក្ខរកម្មឌីជីថល, ធនធានមនុស្ស",
        "keywords_en": "training, digital literacy, human resources, e-learning",
        "frequency": Frequency.WEEKLY,
        "owner_role": Role.TRAINER,
        "position": 30,
    },
    {
        "slug": "office-connectivity",
        "builder": "infrastructure.connectivity",
        "title_km": "ការតភ្ជាប់អ៊ីនធឺណិតនៃការិយាល័យ",
        "title_en": "Internet connectivity of offices",
        "description_km": (
            "ចំនួនការិយាល័យរដ្ឋបាលកំពុងប្រើប្រាស់ តាមខេត្ត និងប្រភេទនៃការតភ្ជាប់អ៊ីនធឺណិតចម្បង "
            "និងចំនួនការិយាល័យដែលមានការតភ្ជាប់អាចប្រើបាន នៅថ្ងៃនៃការចេញផ្សាយ។"
        ),
        "description_en": (
            "Administrative offices in use by province and type of their main internet link, and how many "
            "have a usable link, on the day of the release."
        ),
        "themes": f"{Theme.TECHNOLOGY} {Theme.REGIONS}",
        "keywords_km": "ហេដ្ឋារចនាសម្ព័ន្ធបច្ចេកវិទ្យា, អ៊ីនធឺណិត, ការិយាល័យ",
        "keywords_en": "technology infrastructure, internet, broadband, offices",
        "frequency": Frequency.MONTHLY,
        "owner_role": Role.INFRASTRUCTURE_OFFICER,
        "suppression_threshold": 0,
        "position": 40,
    },
    {
        "slug": "digital-strategy-indicators",
        "builder": "strategy.indicators",
        "title_km": "សូចនាករនៃផែនការយុទ្ធសាស្ត្រឌីជីថល ២០២៣-២០២៧",
        "title_en": "Indicators of the Digital Strategy Plan 2023-2027",
        "description_km": (
            "តម្លៃនៃសូចនាករសាធារណៈរបស់ផែនការយុទ្ធសាស្ត្រឌីជីថល តាមត្រីមាស ឆ្នាំ និងខេត្ត "
            "(តម្លៃដែលបានអនុម័តតែប៉ុណ្ណោះ ដូចទំព័រសាធារណៈនៃផែនការ)។"
        ),
        "description_en": (
            "Values of the public indicators of the Digital Strategy Plan by quarter, year and province "
            "(approved values only, as on the plan's public page)."
        ),
        "themes": f"{Theme.GOVERNMENT}",
        "keywords_km": "ផែនការយុទ្ធសាស្ត្រឌីជីថល, សូចនាករ, តម្លាភាព",
        "keywords_en": "digital strategy, indicators, transparency, results framework",
        "frequency": Frequency.QUARTERLY,
        "owner_role": Role.STRATEGY_APPROVER,
        "position": 50,
    },
]
