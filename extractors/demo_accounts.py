"""The fictional government of the demo corpus: departments, accounts and how each behaves.

Names are modelled on real institutions but belong to no real account. Each
account has an archetype that drives its behaviour in ``demo_corpus``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Archetype:
    name: str
    posts_per_day: float
    inbound_per_post: float
    answer_probability: float
    median_delay_minutes: float
    repost_share: float = 0.05
    thread_share: float = 0.05
    interagency_per_day: float = 0.0
    style: str = "plain"  # plain | shouty | urdu


ARCHETYPES: dict[str, Archetype] = {
    archetype.name: archetype
    for archetype in (
        Archetype("responsive", 2.5, 3.5, 0.85, 40),
        Archetype("steady", 2.0, 3.0, 0.55, 240),
        Archetype("slow", 2.0, 3.0, 0.6, 1500),
        Archetype("broadcaster", 8.0, 2.5, 0.01, 600, repost_share=0.25),
        Archetype("shouty", 3.0, 4.0, 0.3, 300, style="shouty"),
        Archetype("urdu", 2.0, 3.0, 0.5, 180, style="urdu"),
        Archetype("quiet", 0.15, 1.5, 0.5, 120),
        Archetype("interagency", 2.0, 2.5, 0.45, 200, interagency_per_day=1.2),
    )
}


@dataclass(frozen=True)
class DemoAccount:
    handle: str
    display_name: str
    department: str
    ministry: str
    level: str
    account_type: str
    archetype: str
    followers: int
    topic: str


# (department, ministry, level, topic, [(handle, display name, account type, archetype, followers)])
_DEPARTMENTS: list[tuple[str, str, str, str, list[tuple[str, str, str, str, int]]]] = [
    ("Ministry of Water Resources", "Water Resources", "federal", "water", [
        ("MoWR_Official", "Ministry of Water Resources", "institution", "responsive", 182_000),
        ("WaterMinister", "Minister for Water Resources", "official", "steady", 95_000),
        ("IndusFloodCell", "Indus Flood Forecasting Cell", "institution", "broadcaster", 41_000),
    ]),
    ("Ministry of Health Services", "Health", "federal", "health", [
        ("MoHS_Gov", "Ministry of Health Services", "institution", "responsive", 310_000),
        ("HealthSecyFed", "Federal Health Secretary", "official", "slow", 22_000),
        ("NatImmunisation", "National Immunisation Programme", "institution", "steady", 67_000),
        ("PolioFreeDesk", "Polio-Free Desk", "institution", "urdu", 18_500),
    ]),
    ("Ministry of Energy and Power", "Energy", "federal", "power", [
        ("EnergyMinistry", "Ministry of Energy and Power", "institution", "broadcaster", 250_000),
        ("PowerDivHelp", "Power Division Helpdesk", "institution", "responsive", 58_000),
        ("EnergyMinister", "Minister for Energy", "official", "shouty", 140_000),
    ]),
    ("Ministry of Interior Affairs", "Interior", "federal", "security", [
        ("InteriorMin_Gov", "Ministry of Interior Affairs", "institution", "slow", 420_000),
        ("PassportOffice", "Directorate of Passports", "institution", "steady", 88_000),
        ("NatIDAuthority", "National ID Authority", "institution", "responsive", 205_000),
    ]),
    ("Ministry of Education and Training", "Education", "federal", "education", [
        ("FedEduMinistry", "Ministry of Education and Training", "institution", "steady", 133_000),
        ("EduMinisterFed", "Minister for Education", "official", "broadcaster", 77_000),
        ("ExamBoardFed", "Federal Examinations Board", "institution", "interagency", 49_000),
    ]),
    ("National Disaster Authority", "Climate and Disasters", "federal", "disaster", [
        ("NDA_Alerts", "National Disaster Authority", "institution", "responsive", 510_000),
        ("NDA_Chairman", "Chairman, National Disaster Authority", "official", "quiet", 31_000),
        ("MonsoonDesk", "Monsoon Response Desk", "institution", "interagency", 24_000),
    ]),
    ("Punjab Health Department", "Health", "provincial", "health", [
        ("PunjabHealth", "Health Department Punjab", "institution", "steady", 160_000),
        ("PunjabHealthMin", "Health Minister Punjab", "official", "shouty", 98_000),
        ("Rescue1122Pb", "Emergency Rescue Punjab", "institution", "responsive", 370_000),
    ]),
    ("Sindh Local Government Department", "Local Government", "provincial", "municipal", [
        ("SindhLGD", "Local Government Department Sindh", "institution", "slow", 54_000),
        ("SindhLGMinister", "Local Government Minister Sindh", "official", "urdu", 71_000),
        ("KarachiWater", "Karachi Water Board", "institution", "broadcaster", 112_000),
    ]),
    ("Khyber Education Department", "Education", "provincial", "education", [
        ("KhyberEduDept", "Elementary and Secondary Education Khyber", "institution", "responsive", 64_000),
        ("KhyberEduMin", "Education Minister Khyber", "official", "quiet", 19_000),
        ("KhyberTeachers", "Khyber Teachers Facilitation Cell", "institution", "steady", 12_500),
    ]),
    ("Balochistan Irrigation Department", "Water Resources", "provincial", "water", [
        ("BalochIrrigate", "Irrigation Department Balochistan", "institution", "slow", 15_000),
        ("BalochWaterMin", "Irrigation Minister Balochistan", "official", "urdu", 27_000),
        ("QuettaCanals", "Quetta Canals Cell", "institution", "quiet", 3_900),
    ]),
    ("Lahore District Administration", "Interior", "district", "municipal", [
        ("DCLahore", "Deputy Commissioner Lahore", "official", "responsive", 230_000),
        ("LahoreDistAdmin", "District Administration Lahore", "institution", "shouty", 86_000),
        ("LahoreTraffic", "Lahore Traffic Cell", "institution", "interagency", 145_000),
    ]),
    ("Peshawar District Administration", "Interior", "district", "municipal", [
        ("DCPeshawar", "Deputy Commissioner Peshawar", "official", "steady", 76_000),
        ("PeshawarAdmin", "District Administration Peshawar", "institution", "urdu", 33_000),
        ("PeshawarCivic", "Peshawar Civic Complaints Desk", "institution", "slow", 8_200),
    ]),
    ("Quetta District Administration", "Interior", "district", "municipal", [
        ("DCQuetta", "Deputy Commissioner Quetta", "official", "broadcaster", 29_000),
        ("QuettaAdmin", "District Administration Quetta", "institution", "quiet", 6_100),
        ("QuettaCitizens", "Quetta Citizen Facilitation Desk", "institution", "responsive", 4_800),
    ]),
    ("Hyderabad District Administration", "Interior", "district", "municipal", [
        ("DCHyderabad", "Deputy Commissioner Hyderabad", "official", "shouty", 38_000),
        ("HyderabadAdmin", "District Administration Hyderabad", "institution", "steady", 14_700),
        ("HydDrainageCell", "Hyderabad Drainage Cell", "institution", "interagency", 5_300),
    ]),
]


def demo_accounts(replica: int = 0) -> list[DemoAccount]:
    """The demo accounts; replicas past the first get a numbered handle (for ``--scale``)."""
    suffix = "" if replica == 0 else f"_{replica + 1}"
    accounts = []
    index = 0
    for department, ministry, level, topic, members in _DEPARTMENTS:
        for handle, name, account_type, archetype, followers in members:
            # X usernames have at most 15 characters; the index keeps replicas unique.
            replica_handle = (
                f"{handle[: 13 - len(suffix)]}{index:02d}{suffix}" if suffix else handle
            )
            index += 1
            accounts.append(
                DemoAccount(
                    handle=replica_handle,
                    display_name=name if replica == 0 else f"{name} ({replica + 1})",
                    department=department,
                    ministry=ministry,
                    level=level,
                    account_type=account_type,
                    archetype=archetype,
                    followers=followers,
                    topic=topic,
                )
            )
    return accounts

