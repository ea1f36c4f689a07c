from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.accounts import user_invite
from governance.models import MemberState, Organisation


class Command(BaseCommand):
    help = "Invite a person by email: create (or reactivate) their login and email a set-password link."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Full name (needed unless the person exists)")
        parser.add_argument("--state", help="ISO2 code of the member state the person represents")
        parser.add_argument("--organisation", help="Name or acronym of the organisation represented")
        parser.add_argument("--secretariat", action="store_true", help="Make them a Secretariat officer")

    def handle(self, *args, email: str, name: str, state, organisation, secretariat: bool, **options) -> None:
        member_state = org = None
        try:
            if state:
                member_state = MemberState.objects.get(iso2=state.upper())
            if organisation:
                org = Organisation.objects.filter(name=organisation).first() or Organisation.objects.get(
                    acronym=organisation
                )
        except (MemberState.DoesNotExist, Organisation.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        try:
            user = user_invite(
                email=email,
                full_name=name,
                member_state=member_state,
                organisation=org,
                secretariat=secretariat,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Invitation sent to {user.email} (login {user.get_username()}).")
