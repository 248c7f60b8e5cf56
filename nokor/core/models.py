"""Small shared tables: worker heartbeats, scheduler runs and the Buddhist Era calendar."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, models, transaction
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for records that keep when they were created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """The last sign of life of one background worker process (read by /healthz)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    tasks_run = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.worker_id


class ScheduledRun(models.Model):
    """One run of a periodic job for one time slot: the unique key makes the scheduler safe to run twice."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_job_slot_unique")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class BuddhistEraNewYear(models.Model):
    """The day the Buddhist Era year changes (Visakha Bochea) in a given Common Era year.

    The date moves with the lunar calendar, so it is data an administrator edits, not a formula.
    Before that day BE = CE + 543, from it on BE = CE + 544.
    """

    year = models.PositiveIntegerField(_("year (CE)"), primary_key=True)
    date = models.DateField(_("Visakha Bochea day"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("Buddhist Era new year")
        verbose_name_plural = _("Buddhist Era new years")

    def __str__(self) -> str:
        return f"{self.year}: {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.date and self.date.year != self.year:
            raise ValidationError({"date": _("The day must fall in the year it is for.")})

    @classmethod
    def boundary_for(cls, year: int) -> dt.date | None:
        row = cls.objects.filter(year=year).only("date").first()
        return row.date if row else None


class Sequence(models.Model):
    """A named counter (e.g. application numbers of a year), advanced under a row lock."""

    name = models.CharField(max_length=100, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def next_value(cls, name: str) -> int:
        """The next number of `name`; call inside a transaction (the row stays locked until it ends).
        One ``UPDATE … RETURNING``; the first number of a name inserts its row (a concurrent first use
        that wins the insert makes ours fall back to the update)."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE {table} SET "value" = "value" + 1 WHERE "name" = %s RETURNING "value"',  # noqa: S608
                [name],
            )
            row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        try:
            with transaction.atomic():
                cls.objects.create(name=name, value=1)
        except IntegrityError:
            return cls.next_value(name)
        return 1
