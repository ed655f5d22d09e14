from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oms.accounts.actions import issue_api_token
from oms.accounts.models import User


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="integration")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        self.stdout.write(issue_api_token(actor="command line", user=user, name=options["name"]))
