"""The intake sources of contract pandzicht-intake/1, declared once.

Every other part of pandzicht (validation, loading, the demo world, the
adapters, the data-steward docs) reads these declarations instead of
repeating column lists, so a change to the contract is made in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

CONTRACT_VERSION = "pandzicht-intake/1"


class Kind(StrEnum):
    """The value kinds of the contract; each has one validation rule."""

    TEXT = "text"
    BAG_ID = "bag_id"  # 16 digits
    KVK = "kvk"  # 8 digits
    POSTCODE = "postcode"  # 3011AB
    INT = "int"
    FLOAT = "float"
    DATE = "date"  # YYYY-MM-DD
    MONTH = "month"  # YYYY-MM
    ENUM = "enum"
    ENUM_LIST = "enum_list"  # ';'-separated values from an enum
    TEXT_LIST = "text_list"  # ';'-separated free values
    GEMEENTE = "gemeente_code"  # GM0599
    WIJK = "wijk_code"  # WK059901
    BUURT = "buurt_code"  # BU05990110
    SHARE = "share"  # 1/2


@dataclass(frozen=True)
class Column:
    """One contract column: its kind and the rules a value must keep."""

    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()
    non_negative: bool = False
    not_after_peildatum: bool = False
    references: tuple[str, str] | None = None  # (source, column) the value must exist in
    description: str = ""


@dataclass(frozen=True)
class Source:
    """One intake source (one file in the bundle)."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    personal_data: bool = True
    required: bool = False
    # (start, end) column pairs where end may not lie before start
    periods: tuple[tuple[str, str], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


INCIDENT_CATEGORIES = (
    "hennepkwekerij", "drugsopslag", "drugshandel", "wapens", "safehouse", "explosie",
    "schietincident", "witwassen", "mensenhandel", "prostitutie", "overlast",
    "woninginbraak", "overig",
)
REPORTER_TYPES = (
    "buurtbewoner", "pakketbezorger", "welzijnswerker", "complexbeheerder", "wijkagent", "boa", "anoniem",
)
SIGNAL_CATEGORIES = (
    "stank", "loopvolk", "nachtelijk_bezoek", "afgeplakte_ramen", "veel_namen_brievenbus",
    "contante_betaling", "overbewoning", "geluid_apparatuur", "wisselende_bewoners", "overig",
)
INSTRUMENTS = (
    "controle", "huisbezoek", "sluiting_13b", "bibob", "huurontbinding", "waarschuwing",
    "last_onder_dwangsom", "vergunning_ingetrokken", "bestuurlijke_boete",
)
FINDINGS = (
    "hennepkwekerij", "drugsopslag", "safehouse", "prostitutie", "woonfraude", "overbewoning", "niets_gevonden",
)
TYPOLOGIES = ("safehouse", "drugsopslag", "hennepkwekerij", "prostitutie", "woonfraude", "overbewoning")
USE_PURPOSES = (
    "woonfunctie", "winkelfunctie", "kantoorfunctie", "bijeenkomstfunctie", "celfunctie", "gezondheidszorgfunctie",
    "industriefunctie", "logiesfunctie", "onderwijsfunctie", "sportfunctie", "overige gebruiksfunctie",
)
PAYMENT_METHODS = ("incasso", "overboeking", "contant", "derde")
OFFICER_ROLES = ("bestuurder", "eigenaar", "vennoot", "gevolmachtigde")
INVOLVED_ROLES = ("verdachte", "betrokkene", "aangever", "getuige")
OWNER_TYPES = ("natuurlijk_persoon", "rechtspersoon")

_BAG_REF = ("bag_verblijfsobject", "verblijfsobject_id")


def _unit(required: bool = True) -> Column:
    return Column("verblijfsobject_id", Kind.BAG_ID, required=required, references=_BAG_REF,
                  description="BAG id of the unit")


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "bag_verblijfsobject",
            "Addresses and units (BAG).",
            (
                Column("verblijfsobject_id", Kind.BAG_ID, required=True, description="BAG id of the unit"),
                Column("nummeraanduiding_id", Kind.BAG_ID, required=True, description="BAG id of the address"),
                Column("openbare_ruimte", Kind.TEXT, required=True, description="street name"),
                Column("huisnummer", Kind.INT, required=True, non_negative=True),
                Column("huisletter", Kind.TEXT),
                Column("huisnummertoevoeging", Kind.TEXT),
                Column("postcode", Kind.POSTCODE, required=True),
                Column("woonplaats", Kind.TEXT, required=True),
                Column("gemeente_code", Kind.GEMEENTE, required=True),
                Column("wijk_code", Kind.WIJK),
                Column("buurt_code", Kind.BUURT),
                Column("gebruiksdoel", Kind.ENUM_LIST, required=True, values=USE_PURPOSES),
                Column("oppervlakte_m2", Kind.INT, required=True, non_negative=True),
                Column("pand_id", Kind.BAG_ID, required=True),
                Column("bouwjaar", Kind.INT, non_negative=True),
                Column("x_rd", Kind.FLOAT, required=True),
                Column("y_rd", Kind.FLOAT, required=True),
            ),
            key=("verblijfsobject_id",),
            personal_data=False,
            required=True,
        ),
        Source(
            "brp_inschrijving",
            "Who is registered where (BRP), one row per registration period.",
            (
                Column("persoon_id", Kind.TEXT, required=True, description="pseudonymised BSN"),
                Column("geslachtsnaam", Kind.TEXT, required=True),
                Column("voorvoegsel", Kind.TEXT),
                Column("voornamen", Kind.TEXT),
                Column("geboortedatum", Kind.DATE, not_after_peildatum=True),
                _unit(),
                Column("datum_aanvang", Kind.DATE, required=True),
                Column("datum_einde", Kind.DATE),
            ),
            periods=(("datum_aanvang", "datum_einde"),),
        ),
        Source(
            "kadaster_eigendom",
            "Who owns what (Kadaster).",
            (
                Column("eigendom_id", Kind.TEXT, required=True),
                _unit(),
                Column("eigenaar_type", Kind.ENUM, required=True, values=OWNER_TYPES),
                Column("eigenaar_naam", Kind.TEXT, required=True),
                Column("eigenaar_geboortedatum", Kind.DATE, not_after_peildatum=True),
                Column("eigenaar_kvk", Kind.KVK),
                Column("eigenaar_correspondentieadres", Kind.TEXT),
                Column("aandeel", Kind.SHARE, required=True),
                Column("datum_verkrijging", Kind.DATE, required=True),
                Column("koopsom_eur", Kind.INT, non_negative=True),
            ),
            key=("eigendom_id",),
        ),
        Source(
            "kvk_vestiging",
            "Companies (KvK Handelsregister).",
            (
                Column("kvk_nummer", Kind.KVK, required=True),
                Column("naam", Kind.TEXT, required=True),
                Column("rechtsvorm", Kind.TEXT, required=True),
                Column("sbi_code", Kind.TEXT),
                _unit(required=False),
                Column("adres_tekst", Kind.TEXT),
                Column("datum_inschrijving", Kind.DATE, required=True),
                Column("datum_opheffing", Kind.DATE),
            ),
            key=("kvk_nummer",),
            periods=(("datum_inschrijving", "datum_opheffing"),),
        ),
        Source(
            "kvk_functionaris",
            "Officers of companies (KvK).",
            (
                Column("functionaris_id", Kind.TEXT, required=True),
                Column("kvk_nummer", Kind.KVK, required=True, references=("kvk_vestiging", "kvk_nummer")),
                Column("naam", Kind.TEXT, required=True),
                Column("geboortedatum", Kind.DATE, not_after_peildatum=True),
                Column("rol", Kind.ENUM, required=True, values=OFFICER_ROLES),
                Column("datum_aanvang", Kind.DATE, required=True),
                Column("datum_einde", Kind.DATE),
            ),
            key=("functionaris_id",),
            periods=(("datum_aanvang", "datum_einde"),),
        ),
        Source(
            "huurcontract",
            "Tenancies: housing corporations and the Wet goed verhuurderschap register.",
            (
                Column("contract_id", Kind.TEXT, required=True),
                Column("bron", Kind.TEXT, required=True),
                _unit(required=False),
                Column("adres_tekst", Kind.TEXT),
                Column("verhuurder_naam", Kind.TEXT, required=True),
                Column("verhuurder_kvk", Kind.KVK),
                Column("bemiddelaar_naam", Kind.TEXT),
                Column("bemiddelaar_kvk", Kind.KVK),
                Column("huurder_naam", Kind.TEXT, required=True),
                Column("huurder_geboortedatum", Kind.DATE, not_after_peildatum=True),
                Column("huurder_kvk", Kind.KVK),
                Column("datum_aanvang", Kind.DATE, required=True),
                Column("datum_einde", Kind.DATE),
                Column("huurprijs_eur", Kind.INT, non_negative=True),
                Column("betaalwijze", Kind.ENUM, values=PAYMENT_METHODS),
            ),
            key=("contract_id",),
            periods=(("datum_aanvang", "datum_einde"),),
        ),
        Source(
            "energie_verbruik",
            "Metered energy per unit per month (grid operator).",
            (
                _unit(),
                Column("periode", Kind.MONTH, required=True),
                Column("elektriciteit_kwh", Kind.FLOAT, required=True, non_negative=True),
                Column("gas_m3", Kind.FLOAT, non_negative=True),
            ),
            key=("verblijfsobject_id", "periode"),
        ),
        Source(
            "politie_incident",
            "Police registrations shared under the RIEC covenant.",
            (
                Column("incident_id", Kind.TEXT, required=True),
                Column("datum", Kind.DATE, required=True, not_after_peildatum=True),
                _unit(required=False),
                Column("adres_tekst", Kind.TEXT),
                Column("categorie", Kind.ENUM, required=True, values=INCIDENT_CATEGORIES),
                Column("omschrijving", Kind.TEXT),
            ),
            key=("incident_id",),
        ),
        Source(
            "politie_betrokkene",
            "Persons in those police registrations.",
            (
                Column("betrokkene_id", Kind.TEXT, required=True),
                Column("incident_id", Kind.TEXT, required=True, references=("politie_incident", "incident_id")),
                Column("naam", Kind.TEXT, required=True),
                Column("geboortedatum", Kind.DATE, not_after_peildatum=True),
                Column("rol", Kind.ENUM, required=True, values=INVOLVED_ROLES),
            ),
            key=("betrokkene_id",),
        ),
        Source(
            "melding",
            "Signals from people in the neighbourhood.",
            (
                Column("melding_id", Kind.TEXT, required=True),
                Column("datum", Kind.DATE, required=True, not_after_peildatum=True),
                Column("bron_type", Kind.ENUM, required=True, values=REPORTER_TYPES),
                _unit(required=False),
                Column("adres_tekst", Kind.TEXT),
                Column("categorieen", Kind.ENUM_LIST, required=True, values=SIGNAL_CATEGORIES),
                Column("tekst", Kind.TEXT),
            ),
            key=("melding_id",),
        ),
        Source(
            "handhaving_uitkomst",
            "Outcomes of past checks and interventions (the labels).",
            (
                _unit(),
                Column("datum", Kind.DATE, required=True, not_after_peildatum=True),
                Column("instrument", Kind.ENUM, required=True, values=INSTRUMENTS),
                Column("bevinding", Kind.ENUM, required=True, values=FINDINGS),
            ),
        ),
    )
}

# Optional extension of contract v1: short-stay rental listings (e.g. Inside Airbnb), see docs/kortverblijf.md.
REGISTRATION_STATUSES = ("geregistreerd", "vrijgesteld", "ontbreekt")
ROOM_TYPES = ("Entire home/apt", "Private room", "Shared room", "Hotel room")
SOURCES["kortverblijf_advertentie"] = Source(
    "kortverblijf_advertentie",
    "Short-stay rental listings (optional extension of v1); the location is jittered by up to ~150 m.",
    (
        Column("listing_id", Kind.TEXT, required=True, description="platform id of the listing"),
        Column("host_token", Kind.TEXT, required=True, description="pseudonymous host token"),
        Column("latitude", Kind.FLOAT, required=True, description="WGS84, jittered"),
        Column("longitude", Kind.FLOAT, required=True, description="WGS84, jittered"),
        Column("x_rd", Kind.FLOAT, required=True, description="RD New, projected from latitude/longitude"),
        Column("y_rd", Kind.FLOAT, required=True, description="RD New, projected from latitude/longitude"),
        Column("room_type", Kind.ENUM, required=True, values=ROOM_TYPES),
        Column("accommodates", Kind.INT, non_negative=True),
        Column("price", Kind.FLOAT, non_negative=True, description="price per night, local currency"),
        Column("minimum_nights", Kind.INT, non_negative=True),
        Column("availability_365", Kind.INT, non_negative=True),
        Column("number_of_reviews_ltm", Kind.INT, non_negative=True),
        Column("last_review", Kind.DATE, not_after_peildatum=True),
        Column("registratienummer", Kind.TEXT, description="licence/registration number as advertised"),
        Column("registratie_status", Kind.ENUM, required=True, values=REGISTRATION_STATUSES),
        Column("host_aantal_advertenties", Kind.INT, non_negative=True),
    ),
    key=("listing_id",),
)

# Load order: a source is loaded after every source it references.
LOAD_ORDER: tuple[str, ...] = (
    "bag_verblijfsobject", "kvk_vestiging", "politie_incident", "brp_inschrijving", "kadaster_eigendom",
    "kvk_functionaris", "huurcontract", "energie_verbruik", "politie_betrokkene", "melding",
    "handhaving_uitkomst", "kortverblijf_advertentie",
)

# Sources that carry a free-text address to resolve to a BAG unit.
ADDRESS_TEXT_SOURCES: dict[str, str] = {
    "politie_incident": "incident_id",
    "melding": "melding_id",
    "huurcontract": "contract_id",
}

assert set(LOAD_ORDER) == set(SOURCES), "every source must have a place in the load order"
