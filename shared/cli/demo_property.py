"""The demo's property (shared.cli.demo): for the demo victims' first crimes, what was
stolen or damaged and what the police hold, so that their portal shows where each item
is, how to get it back and the letter for their insurer. Jane Doe's first crime: her
phone damaged, her jacket kept as evidence and its return being arranged, her handbag
stolen, found and given back; Siân Williams's: her bicycle stolen and not found; and
the suspect's knife, which belongs to no victim and only staff see."""

from datetime import datetime, timedelta

from shared.models import Crime, CrimeVictim, StaffMember
from shared.services.property import ItemDetails, record_item


def add(made: list[tuple[Crime, list[CrimeVictim], StaffMember]], now: datetime) -> None:
    """Items on the first and third demo crimes (Jane Doe's and Siân Williams's)."""
    (jane_crime, jane_links, jane_oic), (sian_crime, sian_links, sian_oic) = made[0], made[2]
    jane = jane_links[0]
    taken_in = min(jane_crime.reported_at + timedelta(hours=2), now - timedelta(hours=2))
    given_back = max(min(jane_crime.reported_at + timedelta(days=5), now - timedelta(hours=1)), taken_in)
    for details in (
        ItemDetails(
            "damaged", "Mobile phone, black Samsung Galaxy (screen smashed)", "not_held", jane, 42000
        ),
        ItemDetails(
            "seized",
            "Blue denim jacket",
            "return_arranging",
            jane,
            held_at=taken_in,
            return_details=(
                "The lab has finished with it. Collect it from the front desk at Central police station, "
                "9am to 4pm on weekdays. Bring photo ID and your crime reference."
            ),
            officer_note="Exhibit ST/2: blood-stained; forensic results back.",
        ),
        ItemDetails(
            "stolen",
            "Brown leather handbag with purse",
            "returned",
            jane,
            8500,
            held_at=taken_in,
            returned_at=given_back,
            officer_note="Found in a bin on Station Road; purse empty.",
        ),
        ItemDetails(
            "seized",
            "Kitchen knife",
            "held",
            None,
            held_at=taken_in,
            officer_note="Exhibit ST/1: recovered from the suspect.",
        ),
    ):
        record_item(jane_crime, details, jane_oic)
    record_item(
        sian_crime,
        ItemDetails(
            "stolen", "Beic mynydd glas (blue mountain bike), Trek", "not_held", sian_links[0], 65000
        ),
        sian_oic,
    )
