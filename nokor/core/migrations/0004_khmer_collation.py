"""The ``khmer`` collation (ICU, km-KH) that ``nokor.core.text.khmer_order`` sorts Khmer lists with.

PostgreSQL only (Debian's postgresql-15 is built with ICU); on SQLite the collation of the same name is
registered on each connection by ``nokor.core.text.register_sqlite_collation``."""

from django.contrib.postgres.operations import CreateCollation
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_sequence")]

    operations = [CreateCollation("khmer", provider="icu", locale="km-KH")]
