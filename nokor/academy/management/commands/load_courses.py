"""manage.py load_courses [--path DIR] [--force] [slug …]: load or refresh the academy's courses."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nokor.academy.loader import CONTENT_DIR, CourseFormatError, load_courses


class Command(BaseCommand):
    help = (
        "Load the courses of the content folder (one folder per course: course.json, lessons, images). "
        "Safe to re-run: unchanged courses are skipped; nothing is written if a file is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="only these courses (default: all)")
        parser.add_argument("--path", type=Path, default=CONTENT_DIR, help="folder of the course folders")
        parser.add_argument("--force", action="store_true", help="rewrite courses even if unchanged")

    def handle(self, *args, slugs: list[str], path: Path, force: bool, **options):
        try:
            report = load_courses(path, slugs=slugs or None, force=force)
        except CourseFormatError as error:
            raise CommandError("Nothing loaded:\n" + "\n".join(error.messages)) from error
        self.stdout.write(
            f"{len(report.created)} courses added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged."
        )
