"""The world after its first peildatum, a month at a time (the deliveries mode).

Between two monthly deliveries people are born and die, move within the region or leave it, and households
arrive from outside; rental contracts end and new ones start; owner-occupied homes are sold; companies are
founded and dissolved, a new rental agent opens (the first in month 1-3, then 1.2% a month per honest agent),
and a malafide agent's firm is dissolved and re-founded under a new KvK number by the same director (phoenix:
the first in month 1-3, then 1/30 a month per malafide agent). Criminal uses, signals and checks evolve in
`evolve_use.py`.

Monthly rates (chosen from the domain notes and general Dutch figures, never from pandzicht's results):
a household leaves the region 0.3% a month from a corporation home (turnover about 7% a year once moves
inside the region are added), 0.75% from a private let, 0.35% from an owned home (about 4% of owner-occupied
homes sold a year, as in the Netherlands); a student studio changes
tenant every 17 months on average; a vacant home is let with 60% a month (at least a week empty), sold with
35% (at least a month); of the new occupants 35% are a household moving inside the region and 15% a young
adult leaving the parental home. A birth 0.8% a month per couple of child-bearing age, a death 0.5% a month
per person of 75 or older, a partner moving in 0.3% a month per single adult.

Every record made in a month is dated inside that month or later, and every end date set in a month lies in
that month or later: a delivery never shows as open what had already ended by its peildatum.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from pandzicht.altworld import actors
from pandzicht.altworld import crime as crimes
from pandzicht.altworld.actors import Cast
from pandzicht.altworld.homeindex import Name, Row, Tally
from pandzicht.altworld.model import PEIL, Company, Contract, Crime, World
from pandzicht.altworld.names import Person, company_name
from pandzicht.altworld.occupancy import let
from pandzicht.altworld.params import TYPOLOGY_MIX

LEAVE = {"corp": 0.003, "private": 0.0075, "koop": 0.0035, "studio": 1 / 17}
FILL = {"corp": 0.6, "private": 0.6, "koop": 0.35}
EMPTY_DAYS = {"corp": 7, "private": 7, "koop": 30}
CHAIN, YOUNG = 0.35, 0.15  # new occupants: a household from inside the region, a young adult leaving home
BIRTH, DEATH, PARTNER = 0.008, 0.005, 0.003
STUDENT_HOUSE_LEAVE, CARE_LEAVE = 1 / 17, 1 / 30
HOME_BUSINESS, DISSOLVE = 0.001, 0.004  # per occupied home, per small company at a unit
NEW_AGENT = 0.012  # a month, per honest agent in business (about 15% new firms a year)
PHOENIX = 1 / 30  # a month, per malafide agent (a re-founding every two to three years)
SIZES, SIZE_P = [1, 2, 3, 4, 5, 6], [0.36, 0.31, 0.13, 0.12, 0.06, 0.02]
LONG_TENANCY = 5 * 365  # a tenant in debt is mostly a long-standing one (evolve_use)
LIVED = ("huur", "koop")  # the kinds of home an ordinary household lives in
LEAVING = ("young",)  # the tally of those who may leave the parental home


def month_end(k: int) -> int:
    """The last day of the k-th month after the first peildatum's month (k = 0: the first peildatum)."""
    first = dt.date.fromordinal(PEIL)
    y, m = divmod(first.year * 12 + first.month - 1 + k, 12)
    return dt.date(y, m + 1, calendar.monthrange(y, m + 1)[1]).toordinal()


def _born(p: Person) -> int:
    return dt.date.fromisoformat(p.geboortedatum).toordinal()


def age(p: Person, day: int) -> int:
    return (day - _born(p)) // 365


@dataclass(slots=True)
class Ownership:
    """One Kadaster right; `until` is the day the home was sold (Kadaster delivers current rights only)."""

    unit: int
    owner: Person | Company
    share: str
    day: int
    price: int | None
    corr: str
    until: int | None = None


@dataclass(slots=True)
class Churn:
    """Beds in a home in criminal use whose occupants keep changing: each slot holds one registration at a time."""

    unit: int
    crime: Crime
    change: list[int]  # the day each slot's occupant changes next
    current: list[int | None]  # the slot's registration (index in w.registrations)
    ages: tuple[int, int]
    stay: tuple[int, int]
    first: Person | None = None  # who takes the first bed (the tenant, for overcrowding)


@dataclass
class Evolution:
    """What the monthly steps need beyond the World: open registrations and contracts per unit, vacancies, ..."""

    w: World
    c: Cast
    rng: np.random.Generator
    open_regs: dict[int, list[int]] = field(default_factory=dict)
    void: set[int] = field(default_factory=set)  # registrations that never happened (start after an end)
    contract: dict[int, Contract] = field(default_factory=dict)
    ownerships: list[Ownership] = field(default_factory=list)
    episodes: list[tuple[int, Crime]] = field(default_factory=list)  # every criminal use, past and new
    crime_at: dict[int, Crime] = field(default_factory=dict)  # running, or ending on a day already set
    vacant: dict[int, tuple[int, str]] = field(default_factory=dict)  # unit -> (since, corp/private/koop)
    busy: dict[int, int] = field(default_factory=dict)  # unit -> last day an event is already set for
    people: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # unit -> (day, living there)
    officers: list[tuple[Company, int]] = field(default_factory=list)  # every officer record, in order
    malafide_day: list[int] = field(default_factory=list)  # the day each w.malafide entry is known
    pending: list[tuple[int, int]] = field(default_factory=list)  # (day, unit) of checks to come
    churns: list[Churn] = field(default_factory=list)
    ghosts: dict[int, list[int]] = field(default_factory=dict)  # registrations that a fraud invented
    added_agents: list[Company] = field(default_factory=list)  # open for business from next month
    refounded: list[tuple[Company, Company]] = field(default_factory=list)  # (dissolved, new) this month
    homes: list[int] = field(default_factory=list)
    care: list[int] = field(default_factory=list)
    # per person (by identity) the units where they have an open registration: `register` ends those without
    # scanning every unit (which made a month quadratic in the world's size)
    where: dict[int, dict[int, None]] = field(default_factory=dict)
    # per unit its open Kadaster rights: `sell` ends them without scanning every right
    held: dict[int, list[Ownership]] = field(default_factory=dict)
    # what the searches for a home ("a free home let to a household, ...") would list, counted per home and kept
    # up to date with the homes touched since: a search per event looked at every home (quadratic in the world)
    pos: dict[int, int] = field(default_factory=dict)  # home -> its position in `homes`
    groups: list[frozenset[str]] = field(default_factory=list)  # per position: the typologies it can host
    dirty: set[int] = field(default_factory=set)  # units touched since the tally was brought up to date
    tally: Tally | None = None
    tally_month: tuple[int, int] = (0, 0)
    young: dict[int, list[Person]] = field(default_factory=dict)  # per position: who may leave home this month
    edge: set[int] = field(default_factory=set)  # positions with someone turning 18 or 29 this month

    @classmethod
    def start(cls, w: World, c: Cast, rng: np.random.Generator) -> Evolution:
        """The state at the first peildatum, read from the built world; from here on `w.rng` is `rng`."""
        w.rng = rng
        ev = cls(w, c, rng, homes=list(w.residential()), care=[i for i, u in enumerate(w.units) if u.kind == "zorg"])
        for k, (_, i, _, end) in enumerate(w.registrations):
            if end is None:
                ev.open_reg(i, k)
        for contract in w.contracts:
            if contract.end is None:
                ev.contract[contract.unit] = contract
        ev.ownerships = [Ownership(i, *o) for i in sorted(w.owners) for o in w.owners[i]]
        for o in ev.ownerships:
            if o.until is None:
                ev.held.setdefault(o.unit, []).append(o)
        ev.pos = {i: p for p, i in enumerate(ev.homes)}
        shared: dict[frozenset[str], frozenset[str]] = {}  # one set per distinct group: homes share a few
        ev.groups = [shared.setdefault(g, g) for g in
                     (frozenset(t for t in TYPOLOGY_MIX if crimes._eligible(w, i, t)) for i in ev.homes)]
        ev.episodes = sorted(w.past_crimes.items()) + sorted(w.crimes.items())
        ev.crime_at = dict(w.crimes)
        ev.officers = [(co, j) for co in w.companies for j in range(len(co.officers))]
        ev.malafide_day = [PEIL] * len(w.malafide)
        at_unit: dict[int, list[int]] = {}  # every registration per unit, in order
        for k, r in enumerate(w.registrations):
            at_unit.setdefault(r[1], []).append(k)
        for i, cr in sorted(w.crimes.items()):
            if cr.modus == "ghosts":
                household = {p.ware for p in w.household.get(i, [])}
                ev.ghosts[i] = [k for k in ev.open_regs.get(i, []) if w.registrations[k][0].ware not in household]
            since = [k for k in at_unit.get(i, []) if w.registrations[k][2] >= cr.start]
            now = [k for k in since if k in ev.open_regs.get(i, [])]
            if cr.typology == "prostitutie" and len(since) >= 2 and now:  # the short stays go on
                change = max(PEIL + 1, w.registrations[now[-1]][2] + int(rng.integers(30, 130)))
                ev.churns.append(Churn(i, cr, [change], [now[-1]], (19, 35), (30, 130)))
        return ev

    # --- registrations, contracts, occupancy -------------------------------------------------------------

    def members(self, i: int) -> list[Person]:
        return [self.w.registrations[k][0] for k in self.open_regs.get(i, [])]

    def touch(self, i: int) -> None:
        """Something `kind`, `free` or `members` read at unit i changed: the tally looks at it again."""
        self.dirty.add(i)

    def open_reg(self, i: int, k: int) -> None:
        """Registration k (at unit i) is open."""
        self.touch(i)
        self.open_regs.setdefault(i, []).append(k)
        self.where.setdefault(id(self.w.registrations[k][0]), {})[i] = None

    def register(self, who: Person, i: int, day: int) -> int:
        """A new registration from `day`; the person's registrations elsewhere end that day (one address)."""
        for j in list(self.where.get(id(who), {})):
            mine = [k for k in self.open_regs.get(j, []) if self.w.registrations[k][0] is who]
            if mine:
                self.end_regs(j, day, mine)
        self.w.register(who, i, day, None)
        k = len(self.w.registrations) - 1
        self.open_reg(i, k)
        return k

    def end_regs(self, i: int, day: int, only: list[int] | None = None) -> None:
        """End open registrations at unit i on `day`; one that would start later never happened."""
        self.touch(i)
        keep, ended = [], []
        for k in self.open_regs.get(i, []):
            if only is not None and k not in only:
                keep.append(k)
                continue
            p, u, s, _ = self.w.registrations[k]
            if s > day:
                self.void.add(k)
            self.w.registrations[k] = (p, u, s, max(s, day))
            ended.append(p)
        self.open_regs[i] = keep
        staying = {id(self.w.registrations[k][0]) for k in keep}
        for p in ended:
            if id(p) not in staying:
                self.where.get(id(p), {}).pop(i, None)

    def end_contract(self, i: int, day: int) -> None:
        self.touch(i)
        k = self.contract.pop(i, None)
        if k is not None:
            k.end = max(k.start, day)

    def set_people(self, i: int, day: int, n: int) -> None:
        """How many people really live at unit i from `day` on (the grid operator's meter sees them)."""
        self.people.setdefault(i, []).append((day, n))

    def people_at(self, i: int, day: int) -> int:
        n = self.w.residents.get(i, 1)
        for d, k in sorted(self.people.get(i, []), key=lambda x: x[0]):
            if d <= day:
                n = k
        return n

    def now_people(self, i: int) -> int:
        changes = sorted(self.people.get(i, []), key=lambda x: x[0])
        return changes[-1][1] if changes else self.w.residents.get(i, 1)

    def mode(self, i: int) -> str:
        """Who lets unit i: a corporation or a private landlord."""
        owners = self.w.owners.get(i) or []
        return "corp" if owners and any(owners[0][0] is corp for corp in self.c.corporations) else "private"

    def kind(self, i: int) -> str:
        """What unit i is now, for choosing what can happen to it this month."""
        u = self.w.units[i]
        if i in self.crime_at:
            return "crime"
        if i in self.vacant:
            return "vacant"
        members, k = self.open_regs.get(i), self.contract.get(i)
        if "leeg" in u.flags:
            return "leeg"
        if "studentenhuis" in u.flags:
            return "studentenhuis" if members else "anders"
        if "student" in u.flags:
            return "studio" if k is not None and isinstance(k.tenant, Person) and members else "anders"
        if k is not None:
            return "huur" if isinstance(k.tenant, Person) and members else "anders"
        here = self.members(i)
        if here and any(any(o[0] is p for p in here) for o in self.w.owners.get(i, [])):
            return "koop"
        return "anders"

    def free(self, i: int, a: int) -> bool:
        return self.busy.get(i, 0) <= a

    def day(self, lo: int, hi: int) -> int:
        """A day in (lo, hi]."""
        return lo + 1 + int(self.rng.integers(max(1, hi - lo)))

    def depart(self, i: int, day: int) -> None:
        """The whole household leaves unit i on `day`: registrations and contract end, the home falls vacant."""
        mode = "koop" if i not in self.contract else self.mode(i)
        self.touch(i)
        self.end_regs(i, day)
        self.end_contract(i, day)
        self.set_people(i, day, 0)
        self.vacant[i] = (day, mode)
        self.busy[i] = max(self.busy.get(i, 0), day)

    def sell(self, i: int, buyers: list[Person | Company], day: int, corr: str = "") -> None:
        """A transfer in the Kadaster: the sellers' rights end, the buyers' start."""
        self.touch(i)
        for o in self.held.pop(i, []):
            o.until = day
        share = "1/1" if len(buyers) == 1 else f"1/{len(buyers)}"
        price = int(self.w.units[i].m2 * self.rng.uniform(3000, 5200))
        self.held[i] = [Ownership(i, b, share, day, price, corr) for b in buyers]
        self.ownerships += self.held[i]
        self.w.owners[i] = [(b, share, day, price, corr) for b in buyers]

    def occupy(self, i: int, members: list[Person], day: int, mode: str) -> None:
        """New occupants register; a let gets its contract, a sale its Kadaster transfer."""
        self.touch(i)
        for p in members:
            self.register(p, i, day)
        self.set_people(i, day, len(members))
        self.busy[i] = max(self.busy.get(i, 0), day)
        if mode == "koop":
            two = len(members) > 1 and self.rng.random() < 0.6
            self.sell(i, list(members[: 2 if two else 1]), day)
            return
        pay = "derde" if "student" in self.w.units[i].flags and self.rng.random() < 0.3 else None
        self.contract[i] = let(self.w, self.c, i, members[0], day, None, mode == "private", pay=pay)

    def newcomers(self, i: int) -> list[Person]:
        """A household from outside the region, sized to the home."""
        w, u = self.w, self.w.units[i]
        if "student" in u.flags:
            return [w.person(18, 23)]
        size = int(self.rng.choice(SIZES, p=SIZE_P)) if u.m2 >= 40 else 1
        head = w.person(21, 70)
        members = [head]
        if size >= 2:
            members.append(w.relative(head, 20, 72))
        members += [w.relative(head, 0, 17) for _ in range(size - len(members))]
        return members

    # --- the monthly steps of ordinary life -----------------------------------------------------------

    def leave(self, a: int, b: int) -> None:
        """Households leaving the region (or ending), students moving on, care-home residents passing away."""
        rng = self.rng
        for i in self.homes:
            kind = self.kind(i)
            if kind in ("huur", "koop", "studio") and self.free(i, a):
                rate = LEAVE["studio"] if kind == "studio" else LEAVE["koop" if kind == "koop" else self.mode(i)]
                if rng.random() < rate:
                    self.depart(i, self.day(a, b))
            elif kind == "studentenhuis" and self.free(i, a):
                self._replace_each(i, a, b, STUDENT_HOUSE_LEAVE, (18, 24), (5, 45))
        for i in self.care:
            self._replace_each(i, a, b, CARE_LEAVE, (72, 96), (10, 60))

    def _replace_each(self, i: int, a: int, b: int, rate: float, ages: tuple[int, int], gap: tuple[int, int]) -> None:
        """Residents who leave one by one and are replaced after a gap (a student house, a care home)."""
        for k in list(self.open_regs.get(i, [])):
            if self.rng.random() < rate:
                d = self.day(a, b)
                self.end_regs(i, d, [k])
                self.register(self.w.person(*ages), i, d + int(self.rng.integers(*gap)))

    def fill(self, a: int, b: int) -> None:
        """Vacant homes get new occupants: a household moving inside the region, a young adult, or newcomers."""
        rng = self.rng
        for i in sorted(self.vacant):
            since, mode = self.vacant[i]
            lo = max(since + EMPTY_DAYS[mode], a + 1, self.busy.get(i, 0) + 1)
            if i in self.crime_at or lo > b or rng.random() >= FILL[mode]:
                continue
            day = int(rng.integers(lo, b + 1))
            del self.vacant[i]
            self.touch(i)
            x = rng.random()
            members: list[Person] = []
            if "student" not in self.w.units[i].flags and x < CHAIN:
                members = self._move_in_region(i, day, a, b)
            elif "student" not in self.w.units[i].flags and x < CHAIN + YOUNG:
                members = self._young_adult(day, a, b)
            self.occupy(i, members or self.newcomers(i), day, mode)

    def _move_in_region(self, i: int, day: int, a: int, b: int) -> list[Person]:
        """A household from another home of the region moves in; their old home falls vacant the same day."""
        room = self.w.units[i].m2
        # the free homes of kind huur or koop, but i, with at most one registration per 12 m2 of unit i
        fits = [x for x in self._tally(a, b).names() if x[0] == "move" and x[1] * 12 <= room]
        j = self.draw_home(fits, a, b, but=i)
        if j is None:
            return []
        members = self.members(j)
        self.depart(j, day)
        return members

    def _young_adult(self, day: int, a: int, b: int) -> list[Person]:
        """A son or daughter of 18-28 leaves the parental home in the region."""
        # drawn as from [(j, p) for the free homes j of kind huur or koop for p in members(j)[1:] if p is 18-28]
        tally = self._tally(a, b)
        holes = sorted((q, r) for q in self.edge for r, p in enumerate(self.young[q]) if not 18 <= age(p, day) <= 28)
        n = tally.count([LEAVING]) - len(holes)
        if not n:
            return []
        k = int(self.rng.integers(n))
        for q, r in holes:  # the k-th of those young on `day`: step over the ones who are not
            if tally.prefix([LEAVING], q) + r > k:
                break
            k += 1
        q = tally.kth([LEAVING], k)
        j, p = self.homes[q], self.young[q][k - tally.prefix([LEAVING], q)]
        self.set_people(j, day, max(0, self.now_people(j) - 1))
        return [p]

    # --- the tally of homes the searches draw from --------------------------------------------------------

    def _row(self, i: int, a: int, b: int) -> tuple[Row, list[Person]]:
        """What home i counts in the tally for the month (a, b], and who in it may leave home this month.

        ("lived",): a home of kind huur or koop; the rest only when the home is free: ("move", registrations) for
        kind huur or koop, ("start", kind, mode, long-standing tenant, typologies it can host) for kind vacant, huur
        or koop, ("young",) its members but the first who are 18-28 on some day of the month."""
        kind = self.kind(i)
        row: Row = {("lived",): 1} if kind in LIVED else {}
        if not self.free(i, a) or kind not in (*LIVED, "vacant"):
            return row, []
        group = self.groups[self.pos[i]]
        if kind == "vacant":
            row[("start", kind, self.vacant[i][1], False, group)] = 1
            return row, []
        mode = self.mode(i) if kind == "huur" else ""
        long = kind == "huur" and self.contract[i].start <= b - LONG_TENANCY
        row[("start", kind, mode, long, group)] = 1
        row[("move", len(self.open_regs.get(i, [])))] = 1
        young = [p for p in self.members(i)[1:] if age(p, b) >= 18 and age(p, a + 1) <= 28]
        if young:
            row[LEAVING] = len(young)
        return row, young

    def _note_young(self, q: int, young: list[Person], a: int, b: int) -> None:
        """Who at position q may leave home this month; `edge` when one of them is not 18-28 all month."""
        self.young.pop(q, None)
        self.edge.discard(q)
        if young:
            self.young[q] = young
            if any(age(p, a + 1) < 18 or age(p, b) > 28 for p in young):
                self.edge.add(q)

    def _tally(self, a: int, b: int) -> Tally:
        """The tally for the month (a, b]: made afresh once a month (`free` and ages move on), then brought up to
        date with the homes touched since it was last used."""
        if self.tally is None or self.tally_month != (a, b):
            self.young, self.edge = {}, set()
            rows = []
            for q, i in enumerate(self.homes):
                row, young = self._row(i, a, b)
                rows.append(row)
                self._note_young(q, young, a, b)
            self.tally, self.tally_month = Tally(rows), (a, b)
        else:
            for i in self.dirty:
                at = self.pos.get(i)
                if at is not None:
                    row, young = self._row(i, a, b)
                    self.tally.set(at, row)
                    self._note_young(at, young, a, b)
        self.dirty.clear()
        return self.tally

    def homes_where(self, a: int, b: int, t: str, test: Callable[[str, str, bool], bool]) -> list[Name]:
        """The tallies of the free homes that can host typology t and whose (kind, mode, long) pass `test`."""
        return [x for x in self._tally(a, b).names() if x[0] == "start" and t in x[4] and test(x[1], x[2], x[3])]

    def draw_home(self, names: list[Name], a: int, b: int, but: int | None = None) -> int | None:
        """The home `options[rng.integers(len(options))]` draws from the homes the named tallies count (each
        once, in home order, `but` left out), or None without a draw when there are none."""
        tally = self._tally(a, b)
        n = tally.count(names)
        mine = self.pos.get(but, -1) if but is not None else -1
        own = int(mine >= 0 and any(x in names for x in tally.rows[mine]))
        if n - own <= 0:
            return None
        k = int(self.rng.integers(n - own))
        if own and k >= tally.prefix(names, mine):
            k += 1
        return self.homes[tally.kth(names, k)]

    def home_count(self, names: list[Name], a: int, b: int) -> int:
        """How many homes the named tallies count (as len(options))."""
        return self._tally(a, b).count(names)

    def life(self, a: int, b: int) -> None:
        """Births, deaths and partners moving in, in ordinary households."""
        rng, w = self.rng, self.w
        for i in self.homes:
            if self.kind(i) not in ("huur", "koop") or not self.free(i, a):
                continue
            for k in list(self.open_regs.get(i, [])):
                p = w.registrations[k][0]
                if age(p, b) >= 75 and rng.random() < DEATH:
                    d = self.day(a, b)
                    self.end_regs(i, d, [k])
                    if self.open_regs.get(i):
                        self.set_people(i, d, max(0, self.now_people(i) - 1))
                    else:
                        self.depart(i, d)
            members = self.members(i)
            if not members:
                continue
            if len(members) >= 2 and any(20 <= age(p, b) <= 42 for p in members[:2]) and rng.random() < BIRTH:
                d = self.day(a, b)
                child = w.relative(members[0], 0, 1)
                child.geboortedatum = dt.date.fromordinal(d).isoformat()
                self.register(child, i, d)
                self.set_people(i, d, self.now_people(i) + 1)
            elif len(members) == 1 and 22 <= age(members[0], b) <= 60 and rng.random() < PARTNER:
                d = self.day(a, b)
                self.register(w.person(22, 60), i, d)
                self.set_people(i, d, self.now_people(i) + 1)

    # --- companies and the rental agents' market ------------------------------------------------------

    def officer(self, co: Company, who: Person, rol: str, start: int) -> None:
        actors._officer(self.w, co, who, rol, start)
        self.officers.append((co, len(co.officers) - 1))

    def dissolve(self, co: Company, day: int) -> None:
        """The KvK ends a company and its officers' roles on `day`."""
        co.end = day
        for j, (who, rol, s, e) in enumerate(co.officers):
            if e is None or e > day:
                co.officers[j] = (who, rol, s, max(s, day))

    def companies(self, m: int, a: int, b: int, first_agent: int, first_phoenix: int) -> None:
        """New and dissolved small companies; a new rental agent and a phoenix now and then."""
        rng, w = self.rng, self.w
        if m == first_agent or (m > first_agent and rng.random() < NEW_AGENT * len(self.c.agents)):
            self._new_agent(a, b)
        if m == first_phoenix or (m > first_phoenix and rng.random() < PHOENIX * len(self.c.bad_agents)):
            self._phoenix(a, b)
        for i in self.homes:
            if self.kind(i) in ("huur", "koop") and rng.random() < HOME_BUSINESS:
                sbi = str(rng.choice(["9602", "6201", "1071", "4321", "7022"]))
                form = "Eenmanszaak" if rng.random() < 0.7 else "VOF"
                d = self.day(a, b)
                co = w.company(company_name(rng, sbi, form), form, sbi, d)
                co.unit = i
                self.officer(co, self.members(i)[0], "eigenaar", d)
        for co in list(w.companies):
            if co.unit is not None and co.end is None and co.start <= a and rng.random() < DISSOLVE:
                self.dissolve(co, self.day(a, b))

    def _new_agent(self, a: int, b: int) -> None:
        """A rental agent opens; from next month it takes lets, with the clientele of a middling agent (landlords
        who followed its founder from an earlier employer)."""
        d = self.day(a, b)
        agent = actors._letting_firm(self.w, "6831", d, None, self.w.person(28, 60))
        self.officers.append((agent, 0))
        agent.contract_kvk = float(self.rng.uniform(0.3, 0.95))
        self.c.portfolio[agent.kvk] = int(np.median([self.c.portfolio.get(x.kvk, 0) for x in self.c.agents] or [0]))
        self.added_agents.append(agent)

    def _phoenix(self, a: int, b: int) -> None:
        """A malafide agent's director founds a new firm; the old one is dissolved within two months."""
        rng, c = self.rng, self.c
        old = c.bad_agents[int(rng.integers(len(c.bad_agents)))]
        director = old.officers[0][0]
        d = self.day(a, b)
        new = actors._letting_firm(self.w, "6831", d, None, director)
        self.officers.append((new, 0))
        new.contract_kvk = float(rng.uniform(0.2, 0.6))
        for who, rol, _, end in list(old.officers[1:]):
            if rol == "gevolmachtigde" and end is None:
                self.officer(new, who, rol, d)
        self.dissolve(old, d + int(rng.integers(0, 60)))
        c.portfolio[new.kvk] = c.portfolio.get(old.kvk, 0)
        self.w.malafide.append((new, "bemiddelaar"))
        self.refounded.append((old, new))

    def close_month(self, b: int) -> None:
        """What takes effect from next month: new agents take lets, a phoenix firm replaces the old one."""
        self.c.agents += self.added_agents
        self.added_agents = []
        for old, new in self.refounded:
            self.c.bad_agents = [new if x is old else x for x in self.c.bad_agents]
        self.refounded = []
        self.malafide_day += [b] * (len(self.w.malafide) - len(self.malafide_day))
