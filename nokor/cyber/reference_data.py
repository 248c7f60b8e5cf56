"""The reference data of cybercrime reporting: the categories of the taxonomy with the urgent steps
shown to victims (Khmer and English), the banks and e-wallets people pay scammers through, and the
organisations possible victims of trafficking are referred to (example data, to be confirmed).

Loaded by ``manage.py load_cyber_reference`` (and by ``seed_demo``). Loading is idempotent: a missing
row is created; an existing row is left as the ministry may have edited it in the admin, unless
``update=True`` asks to reset it to the text below. Next steps are one step per line.

Institution codes are those of ``normalize.BANK_ALIASES`` where one exists, so an account written
"ABA 000 123 456" meets the institution chosen from the list. Freeze contacts are left empty: the
ministry fills them in from each institution's official fraud line (never guessed here).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from nokor.cyber.models import Category, Institution, ReferralOrganisation


@dataclass(frozen=True)
class CategoryData:
    slug: str
    name_km: str
    name_en: str
    next_steps_km: tuple[str, ...]
    next_steps_en: tuple[str, ...]
    sensitive: bool = False


@dataclass(frozen=True)
class ReferralOrganisationData:
    code: str
    name_en: str
    name_km: str
    phone: str = ""
    description_en: str = ""
    description_km: str = ""


@dataclass(frozen=True)
class InstitutionData:
    code: str
    name_en: str
    name_km: str
    kind: str = Institution.Kind.BANK


CATEGORIES: tuple[CategoryData, ...] = (
    CategoryData(
        "online-fraud",
        "ការឆបោកតាមអនឡាញ ឬការឆបោកវិនិយោគ",
        "Online fraud or investment scam",
        (
            "ទូរស័ព្ទទៅធនាគារ ឬកាបូបអេឡិចត្រូនិករបស់អ្នកភ្លាមៗ ហើយស្នើឱ្យបញ្ឈប់ ឬបង្កកការទូទាត់។ "
            "ប្រាប់ពួកគេពីគណនីដែលអ្នកបានផ្ទេរប្រាក់ទៅ និងលេខប្រតិបត្តិការ។",
            "កុំផ្ញើប្រាក់បន្ថែមទៀត ទោះបីជាពួកគេសន្យាថានឹងប្រគល់ប្រាក់របស់អ្នកវិញ ឬទាមទារ «កម្រៃ» ឬ «ពន្ធ» ដើម្បីដោះប្រាក់ក៏ដោយ។",
            "ប្រយ័ត្នចំពោះអ្នកដែលស្នើជួយយកប្រាក់របស់អ្នកមកវិញដោយយកកម្រៃ៖ នោះជាការឆបោកមួយទៀត។",
            "រក្សាទុកសារ បង្កាន់ដៃ និងរូបថតអេក្រង់៖ កុំលុបការសន្ទនា។",
        ),
        (
            "Call your bank or e-wallet now and ask them to stop or freeze the payment. Give them the "
            "account you paid to and the transaction number.",
            "Do not send any more money, even if they promise to return yours or ask for a “fee” or "
            "“tax” to release it.",
            "Beware of anyone who offers to recover your money for a fee: that is another scam.",
            "Keep the messages, receipts and screenshots: do not delete the conversation.",
        ),
    ),
    CategoryData(
        "romance-scam",
        "ការឆបោកតាមរយៈទំនាក់ទំនងស្នេហា",
        "Romance scam",
        (
            "ឈប់ផ្ញើប្រាក់ ឬកាដូ ទោះបីជាពួកគេលើកហេតុផលអ្វីក៏ដោយ (សំបុត្រយន្តហោះ ពន្ធគយ សាច់ញាតិឈឺ)។",
            "ប្រសិនបើអ្នកបានបង់តាមធនាគារ ឬកាបូបអេឡិចត្រូនិក សូមទូរស័ព្ទទៅធនាគាររបស់អ្នកភ្លាមៗ ដើម្បីព្យាយាមបញ្ឈប់ការទូទាត់។",
            "កុំផ្ញើរូបថត ឬវីដេអូឯកជន។ ប្រសិនបើអ្នកបានផ្ញើរួចហើយ ហើយពួកគេគំរាមអ្នក សូមរាយការណ៍ជាការគំរាមកំហែងដោយរូបភាពឯកជន។",
            "រក្សាទុកតំណភ្ជាប់ប្រវត្តិរូប សារ និងរូបថតដែលពួកគេបានផ្ញើមកអ្នក។",
        ),
        (
            "Stop sending money or gifts, whatever reason they give (a plane ticket, customs fees, a sick "
            "relative).",
            "If you paid by bank or e-wallet, call your bank now to try to stop the payment.",
            "Do not send intimate photos or videos. If you already did and they threaten you, report it as "
            "sextortion.",
            "Keep the profile link, the messages and the photos they sent you.",
        ),
    ),
    CategoryData(
        "phishing",
        "សារ ឬគេហទំព័រក្លែងក្លាយ ដែលសុំព័ត៌មានរបស់អ្នក (phishing)",
        "Phishing: a fake message or website asked for your details",
        (
            "ប្រសិនបើអ្នកបានវាយពាក្យសម្ងាត់ សូមប្តូរវាភ្លាមៗ ដោយចាប់ផ្តើមពីគណនីអ៊ីមែល និងគណនីធនាគារ ហើយបើកការផ្ទៀងផ្ទាត់ពីរជំហាន។",
            "ប្រសិនបើអ្នកបានផ្តល់ព័ត៌មានកាត គណនីធនាគារ ឬលេខកូដប្រើម្តង (OTP) សូមទូរស័ព្ទទៅធនាគាររបស់អ្នកភ្លាមៗ ដើម្បីបិទកាត ឬគណនី។",
            "កុំចែករំលែកលេខកូដប្រើម្តង (OTP) ជាដាច់ខាត៖ គ្មានធនាគារ ឬក្រសួងណាមួយសុំលេខកូដនោះពីអ្នកឡើយ។",
            "កុំចុចលើតំណភ្ជាប់នោះម្តងទៀត ហើយរក្សាទុកសារនោះ។",
        ),
        (
            "If you typed a password, change it now, starting with your e-mail and bank accounts, and turn "
            "on two-step verification.",
            "If you gave card or bank details or a one-time code (OTP), call your bank now to block the card "
            "or the account.",
            "Never share a one-time code (OTP): no bank or ministry will ever ask you for it.",
            "Do not open the link again, and keep the message.",
        ),
    ),
    CategoryData(
        "account-takeover",
        "មានគេលួចចូល ឬកាន់កាប់គណនីរបស់ខ្ញុំ (Facebook, Telegram, អ៊ីមែល…)",
        "Someone took over my account (Facebook, Telegram, e-mail…)",
        (
            "ប្រើទំព័រស្តារ «គណនីត្រូវបានលួចចូល» របស់កម្មវិធីនោះភ្លាមៗ ហើយប្តូរពាក្យសម្ងាត់នៃគ្រប់គណនីដែលប្រើពាក្យសម្ងាត់ដូចគ្នា។",
            "បើកការផ្ទៀងផ្ទាត់ពីរជំហាន ហើយចាកចេញពីឧបករណ៍ផ្សេងទៀតទាំងអស់។",
            "ប្រាប់មិត្តភក្តិ និងក្រុមគ្រួសាររបស់អ្នកថា សារដែលសុំប្រាក់ពីគណនីរបស់អ្នក មិនមែនមកពីអ្នកទេ។",
            "ប្រសិនបើគណនីធនាគារ ឬកាបូបអេឡិចត្រូនិករបស់អ្នកភ្ជាប់ជាមួយ សូមទូរស័ព្ទទៅធនាគាររបស់អ្នក។",
        ),
        (
            "Use the platform's “hacked account” recovery page now, and change the password of every "
            "account that used the same password.",
            "Turn on two-step verification and sign out of every other device.",
            "Warn your friends and family that messages asking for money from your account are not from you.",
            "If your bank account or e-wallet is linked to it, call your bank.",
        ),
    ),
    CategoryData(
        "sextortion",
        "ការគំរាមកំហែងដោយរូបភាពឯកជន ឬការចែកចាយរូបភាពឯកជនដោយគ្មានការយល់ព្រម",
        "Sextortion or intimate images shared without consent",
        (
            "កុំបង់ប្រាក់ ហើយកុំផ្ញើរូបភាពបន្ថែមទៀត៖ ការបង់ប្រាក់ស្ទើរតែតែងតែនាំឱ្យមានការទាមទារបន្ថែមទៀត។",
            "ឈប់ឆ្លើយតប ប៉ុន្តែកុំទាន់លុបការសន្ទនា ឬគណនីរបស់អ្នក៖ រក្សាទុករូបថតអេក្រង់នៃសារ ប្រវត្តិរូប និងការទាមទាររបស់ពួកគេ។",
            "នេះមិនមែនជាកំហុសរបស់អ្នកទេ។ ប្រសិនបើអ្នកមានអារម្មណ៍មិនមានសុវត្ថិភាព ឬគិតចង់ធ្វើបាបខ្លួនឯង "
            "សូមនិយាយជាមួយមនុស្សដែលអ្នកទុកចិត្តឥឡូវនេះ ឬទូរស័ព្ទទៅប៉ូលីសលេខ ១១៧។",
            "រាយការណ៍រូបភាពទាំងនោះទៅកម្មវិធី ដើម្បីឱ្យគេលុបចេញ។ ឯកសាររបស់អ្នកត្រូវបានមើលតែដោយ"
            "មន្ត្រីស៊ើបអង្កេតប៉ុណ្ណោះ ហើយមិនដែលបង្ហាញនៅលើទំព័រការរាយការណ៍របស់អ្នកឡើយ។",
        ),
        (
            "Do not pay and do not send more images: paying almost always leads to more demands.",
            "Stop replying, but do not delete the conversation or your account yet: keep screenshots of the "
            "messages, the profile and the demands.",
            "You are not to blame. If you feel unsafe or think of harming yourself, talk to someone you "
            "trust now, or call the police on 117.",
            "Report the images to the platform so that they are taken down. Your files are seen only by the "
            "investigators and are never shown on your report page.",
        ),
        sensitive=True,
    ),
    CategoryData(
        "online-harassment",
        "ការយាយី ការគំរាមកំហែង ឬការសម្លុតតាមអនឡាញ",
        "Online harassment, threats or bullying",
        (
            "ប្រសិនបើអ្នកកំពុងប្រឈមនឹងគ្រោះថ្នាក់ឥឡូវនេះ សូមទូរស័ព្ទទៅប៉ូលីសលេខ ១១៧។",
            "កុំឆ្លើយតបនឹងការគំរាមកំហែង។ បិទ (block) អ្នកនោះ បន្ទាប់ពីអ្នកបានរក្សាទុករូបថតអេក្រង់"
            "ដែលបង្ហាញឈ្មោះ តំណភ្ជាប់ប្រវត្តិរូប និងកាលបរិច្ឆេទ។",
            "រាយការណ៍សារ ឬការបង្ហោះទាំងនោះទៅកម្មវិធី។",
            "ពិនិត្យការកំណត់ឯកជនភាពរបស់អ្នក និងអ្នកណាខ្លះអាចឃើញលេខទូរស័ព្ទ និងទីកន្លែងរស់នៅរបស់អ្នក។",
        ),
        (
            "If you are in danger now, call the police on 117.",
            "Do not answer the threats. Block the person after you have kept screenshots showing their name, "
            "profile link and the date.",
            "Report the messages or posts to the platform.",
            "Check your privacy settings and who can see your phone number and where you live.",
        ),
    ),
    CategoryData(
        "job-scam",
        "ការផ្តល់ការងារក្លែងក្លាយ ឬការជ្រើសរើសបុគ្គលិកបោកប្រាស់",
        "Fake job offer or recruitment",
        (
            "កុំបង់ «ប្រាក់កក់» «ថ្លៃបណ្តុះបណ្តាល» ឬ «កិច្ចការ» ណាមួយ ដើម្បីទទួលបាន ឬរក្សាការងារ។",
            "កុំធ្វើដំណើរទៅធ្វើការងារដែលគេផ្តល់ជូនតាមអនឡាញ ដោយមិនបានពិនិត្យនិយោជកជាមុន៖ "
            "មនុស្សត្រូវបានជួញដូរទៅកាន់ទីតាំងឆបោកតាមរបៀបនេះ។ "
            "ប្រសិនបើមាននរណាម្នាក់ត្រូវបានឃុំខ្លួនដោយបង្ខំ សូមទូរស័ព្ទទៅប៉ូលីសលេខ ១១៧ ភ្លាមៗ។",
            "ប្រសិនបើអ្នកបានបង់ប្រាក់ សូមទូរស័ព្ទទៅធនាគារ ឬកាបូបអេឡិចត្រូនិករបស់អ្នកភ្លាមៗ ដើម្បីព្យាយាមបញ្ឈប់ការទូទាត់។",
            "រក្សាទុកការផ្សាយការងារ ការជជែក និងឈ្មោះដែលពួកគេបានប្រើ។",
        ),
        (
            "Do not pay any “deposit”, “training fee” or “task” to get or keep a job.",
            "Do not travel for a job offered online without checking the employer: people are trafficked "
            "into scam compounds this way. If someone is held against their will, call the police on 117 "
            "now.",
            "If you paid, call your bank or e-wallet now to try to stop the payment.",
            "Keep the job advert, the chat and the names they used.",
        ),
    ),
    CategoryData(
        "impersonation",
        "ការក្លែងខ្លួនជាប៉ូលីស ក្រសួង តុលាការ ឬធនាគារ",
        "Someone pretending to be the police, a ministry, a court or a bank",
        (
            "ដាក់ទូរស័ព្ទចុះ។ មន្ត្រីមិនដែលសុំឱ្យអ្នកបង់ប្រាក់ពិន័យ «សម្អាតឈ្មោះ» ឬផ្ទេរប្រាក់ទៅ «គណនីសុវត្ថិភាព» តាមទូរស័ព្ទ ឬការជជែកឡើយ។",
            "ទូរស័ព្ទទៅការិយាល័យនោះដោយខ្លួនឯង តាមលេខដែលអ្នករកឃើញដោយខ្លួនឯង មិនមែនលេខដែលពួកគេឱ្យអ្នកទេ។",
            "ប្រសិនបើអ្នកបានបង់ប្រាក់ ឬផ្តល់ព័ត៌មានធនាគារ សូមទូរស័ព្ទទៅធនាគាររបស់អ្នកភ្លាមៗ។",
            "រក្សាទុកលេខទូរស័ព្ទ សារ និងឯកសារណាមួយដែលពួកគេបានផ្ញើមក។",
        ),
        (
            "Hang up. Officials never ask you to pay a fine, “clear your name” or move money to a “safe "
            "account” by phone or chat.",
            "Call the office yourself on a number you found yourself, not the one they gave you.",
            "If you paid or gave bank details, call your bank now.",
            "Keep the phone number, the messages and any document they sent.",
        ),
    ),
    CategoryData(
        "other",
        "ផ្សេងទៀត",
        "Something else",
        (
            "ប្រសិនបើអ្នកកំពុងប្រឈមនឹងគ្រោះថ្នាក់ឥឡូវនេះ សូមទូរស័ព្ទទៅប៉ូលីសលេខ ១១៧។",
            "ប្រសិនបើអ្នកបានបាត់បង់ប្រាក់ សូមទូរស័ព្ទទៅធនាគារ ឬកាបូបអេឡិចត្រូនិករបស់អ្នកភ្លាមៗ។",
            "រក្សាទុករាល់សារ បង្កាន់ដៃ និងរូបថតអេក្រង់។",
        ),
        (
            "If you are in danger now, call the police on 117.",
            "If you lost money, call your bank or e-wallet now.",
            "Keep every message, receipt and screenshot.",
        ),
    ),
)

INSTITUTIONS: tuple[InstitutionData, ...] = (
    InstitutionData("ABA", "ABA Bank", "ធនាគារ អេប៊ីអេ"),
    InstitutionData("ACLEDA", "ACLEDA Bank", "ធនាគារ អេស៊ីលីដា"),
    InstitutionData("WING", "Wing Bank", "ធនាគារ វីង"),
    InstitutionData("CANADIA", "Canadia Bank", "ធនាគារ កាណាឌីយ៉ា"),
    InstitutionData("PRINCE", "Prince Bank", "ធនាគារ ព្រីនស៍"),
    InstitutionData("SATHAPANA", "Sathapana Bank", "ធនាគារ ស្ថាបនា"),
    InstitutionData("CHIPMONG", "Chip Mong Bank", "ធនាគារ ជីបម៉ុង"),
    InstitutionData("VATTANAC", "Vattanac Bank", "ធនាគារ វឌ្ឍនៈ"),
    InstitutionData("FTB", "Foreign Trade Bank of Cambodia (FTB)", "ធនាគារពាណិជ្ជកម្មក្រៅប្រទេសនៃកម្ពុជា"),
    InstitutionData("HATTHA", "Hattha Bank", "ធនាគារ ហត្ថា"),
    InstitutionData("PPCB", "Phnom Penh Commercial Bank", "ធនាគារពាណិជ្ជ ភ្នំពេញ"),
    InstitutionData("AMK", "AMK Microfinance", "គ្រឹះស្ថានមីក្រូហិរញ្ញវត្ថុ អេ អឹម ខេ"),
    InstitutionData("TRUEMONEY", "TrueMoney", "ទ្រូម៉ាន់នី", Institution.Kind.EWALLET),
    InstitutionData("PIPAY", "Pi Pay", "ភីផេ", Institution.Kind.EWALLET),
)


# Where investigators refer possible victims of trafficking into scam compounds.
# EXAMPLE DATA, TO BE CONFIRMED by the ministry before use: names, short codes and descriptions are
# written from public knowledge and have not been checked with each organisation; e-mail addresses and
# direct lines are left empty on purpose (filled in from each organisation's official contact, in the admin).
REFERRAL_ORGANISATIONS: tuple[ReferralOrganisationData, ...] = (
    ReferralOrganisationData(
        "AHTJP-1288",
        "Anti-Human Trafficking and Juvenile Protection Department (hotline 1288)",
        "នាយកដ្ឋានប្រឆាំងការជួញដូរមនុស្ស និងការពារអនីតិជន (ទូរស័ព្ទលេខ ១២៨៨)",
        "1288",
        "National police hotline for trafficking: rescue of people held in scam compounds.",
        "ខ្សែទូរស័ព្ទប៉ូលីសជាតិសម្រាប់ការជួញដូរមនុស្ស៖ ការជួយសង្គ្រោះមនុស្សដែលត្រូវបានឃុំខ្លួនក្នុងទីតាំងឆបោក។",
    ),
    ReferralOrganisationData(
        "NCCT",
        "National Committee for Counter Trafficking (NCCT) secretariat",
        "អគ្គលេខាធិការដ្ឋាន គណៈកម្មាធិការជាតិប្រយុទ្ធប្រឆាំងការជួញដូរមនុស្ស",
        "",
        "Coordinates the identification and protection of victims between ministries.",
        "សម្របសម្រួលការកំណត់អត្តសញ្ញាណ និងការការពារជនរងគ្រោះរវាងក្រសួង។",
    ),
    ReferralOrganisationData(
        "IOM-KH",
        "International Organization for Migration (IOM) Cambodia",
        "អង្គការអន្តរជាតិទទួលបន្ទុកចំណាកស្រុក (IOM) ប្រចាំកម្ពុជា",
        "",
        "Return and reintegration of foreign and Cambodian victims.",
        "ការវិលត្រឡប់ និងការធ្វើសមាហរណកម្មឡើងវិញ នៃជនរងគ្រោះបរទេស និងកម្ពុជា។",
    ),
    ReferralOrganisationData(
        "CHAB-DAI",
        "Chab Dai Coalition",
        "សម្ព័ន្ធចាប់ដៃ",
        "",
        "NGO coalition: shelter, counselling and follow-up of survivors.",
        "សម្ព័ន្ធអង្គការមិនមែនរដ្ឋាភិបាល៖ ទីជម្រក ការប្រឹក្សា និងការតាមដានអ្នករួចផុតពីគ្រោះ។",
    ),
    ReferralOrganisationData(
        "CHILD-HELPLINE-1280",
        "Child Helpline Cambodia (1280)",
        "ខ្សែទូរស័ព្ទជំនួយកុមារកម្ពុជា (១២៨០)",
        "1280",
        "For children and young people.",
        "សម្រាប់កុមារ និងយុវជន។",
    ),
)


@transaction.atomic
def load(*, update: bool = False) -> dict[str, int]:
    """Create the missing categories and institutions (reset existing ones too when ``update``);
    returns how many rows were created and updated."""
    counts = {"created": 0, "updated": 0}
    for position, data in enumerate(CATEGORIES, start=1):
        values = {
            "name_km": data.name_km,
            "name_en": data.name_en,
            "next_steps_km": "\n".join(data.next_steps_km),
            "next_steps_en": "\n".join(data.next_steps_en),
            "sensitive": data.sensitive,
            "position": position * 10,
        }
        _upsert(Category, {"slug": data.slug}, values, update, counts)
    for data in INSTITUTIONS:
        values = {"name_en": data.name_en, "name_km": data.name_km, "kind": data.kind}
        _upsert(Institution, {"code": data.code}, values, update, counts)
    for data in REFERRAL_ORGANISATIONS:
        values = {
            "name_en": data.name_en,
            "name_km": data.name_km,
            "phone": data.phone,
            "description_en": data.description_en,
            "description_km": data.description_km,
        }
        _upsert(ReferralOrganisation, {"code": data.code}, values, update, counts)
    return counts


def _upsert(model, lookup: dict, values: dict, update: bool, counts: dict[str, int]) -> None:
    row = model.objects.filter(**lookup).first()
    if row is None:
        model.objects.create(**lookup, **values)
        counts["created"] += 1
        return
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if update and changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
        counts["updated"] += 1
