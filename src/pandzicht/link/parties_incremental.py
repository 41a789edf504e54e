"""Party resolution of a new delivery that continues an earlier analysis: only new and changed records.

A monthly delivery repeats almost every record of the last one. Resolving all of them again costs what the
first analysis cost and, with a retrained model, may move parties nobody's data changed. Here, as in
Senzing's and nomenklatura's resolvers, the known entities stay and only what is new is matched against
them:

- each mention (`bron`, `record_sleutel`) is compared with the previous analysis' `partij_vermelding` on
  every field: `nieuw` (key not there before), `gewijzigd` (a field differs), `gelijk`; keys that are gone
  are `verwijderd`;
- an earlier party that lost or changed a record, or that an analyst's judgement touches, is resolved
  again as a whole (its remaining records count as changed): a record that held it together may be gone;
- the unchanged records of every other earlier party stay together, with their earlier certainty;
- Splink scores only pairs of profiles with at least one new or changed record (each blocking rule is taken
  once with `AND l.nieuw` and once with `AND r.nieuw AND NOT l.nieuw`), new against new and new against the
  known records, with the model the earlier analysis trained (table `partij_model`);
- clustering then runs as in a full run over all profiles, the kept parties as forced links.

The model is retrained, and everything resolved in full, when the data drifted from what it was trained
on (`drift`): more than MAX_NEW_SHARE of this delivery's profiles new or changed, the number of profiles
more than MAX_SIZE_CHANGE away from the training data's, or for a compared column the share of profile pairs
agreeing on it (what u estimates) changed by more than a factor MAX_AGREEMENT_RATIO. The load report says
which run it was and why (`analyse.koppeling`).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from splink import Linker

from pandzicht.fallback import record as record_fallback
from pandzicht.link import parties_splink as ps
from pandzicht.link import previous as prev
from pandzicht.link.clustering import cluster_reached
from pandzicht.link.company_context import TABLE as COMPANY_NUMBERS
from pandzicht.link.company_context import infer_company_numbers
from pandzicht.link.judgements import current_judgements, default_path
from pandzicht.link.mentions import MENTION_COLUMNS
from pandzicht.store.engine import Store

log = logging.getLogger(__name__)

MAX_NEW_SHARE = 0.30  # share of profiles new or changed in this delivery above which the model is retrained
MAX_SIZE_CHANGE = 0.30  # relative change in the number of profiles since training
MAX_AGREEMENT_RATIO = 2.0  # factor by which a column's agreement rate may move (1 bit of match weight)


@dataclass
class Plan:
    """What an incremental run found before it resolved anything; becomes `analyse.koppeling`."""

    modus: str  # 'incrementeel' or 'volledig'
    model: str  # 'hergebruikt', 'getraind' or 'geen' (exact keys only)
    reden: str
    records: dict[str, int] = field(default_factory=dict)
    drift: dict[str, Any] = field(default_factory=dict)
    overgenomen: dict[str, int] = field(default_factory=dict)  # kept parties whose `entiteit` rows were copied
    em: dict[str, Any] = field(default_factory=dict)  # per model, the pairs its EM sessions had and trained on

    def report(self) -> dict[str, Any]:
        """The `analyse.koppeling` section of laadrapport.json."""
        out: dict[str, Any] = {"modus": self.modus, "model": self.model, "reden": self.reden}
        if self.records:
            out["records"] = self.records
        if self.drift:
            out["drift"] = self.drift
        if self.em:
            out["em"] = self.em
        return out

    def reuse(self) -> dict[str, Any]:
        """The `analyse.hergebruik.entiteiten` entry: the parties whose rows of `entiteit` were copied from the
        previous analysis (kept parties no new link, KvK number or judgement reaches)."""
        if self.modus != "incrementeel":
            return {"modus": "volledig", "reden": self.reden}
        return {"modus": "incrementeel", "partijen_overgenomen": self.overgenomen.get("partijen", 0),
                "records_overgenomen": self.overgenomen.get("records", 0),
                "records_berekend": self.overgenomen.get("berekend", 0),
                "reden": "partijen zonder nieuw, gewijzigd, verwijderd of beoordeeld record en zonder nieuwe "
                         "koppeling: rijen van entiteit overgenomen uit de vorige analyse"}


def _hash_sql(alias: str) -> str:
    """A mention's content as one 64-bit hash of its fields (NULL and '' differ, and so does their order).

    Both deliveries' mentions are hashed in this process and only compared with each other, never kept, so
    DuckDB's `hash` (whose values may change between its versions) serves: four times faster than the md5 of
    the joined text it replaced (0.45 against 1.9 s over 1.4M mentions at 200,000 units), and a change that
    hashes alike is a 1-in-2^64 chance per mention."""
    parts = ", ".join(f"CAST({alias}.{c} AS VARCHAR)" for c in MENTION_COLUMNS if c not in ("bron", "record_sleutel"))
    return f"hash({parts})"  # as text, so that a store whose column types differ compares by value


def _copy_previous(store: Store, previous: Path) -> bool:
    """Copy what the incremental run needs from the previous store; False when it lacks a trained model."""
    with prev.attached(store, previous) as alias:
        needed = ("partij_vermelding", "entiteit", ps.MODEL_TABLE)
        if not all(prev.has_table(store, t) for t in needed):
            return False
        if store.scalar(f"SELECT count(DISTINCT soort) FROM {alias}.{ps.MODEL_TABLE}") < 2:
            return False
        # a mention whose inferred KvK number changed (link/company_context.py) is a changed mention
        inferred = (f"{alias}.{COMPANY_NUMBERS}" if prev.has_table(store, COMPANY_NUMBERS) else
                    "(SELECT NULL::VARCHAR AS bron, NULL::VARCHAR AS record_sleutel, NULL::VARCHAR AS kvk_nummer)")
        store.execute(f"CREATE OR REPLACE TEMP TABLE _vorige_pv AS SELECT v.bron || '/' || v.record_sleutel AS "
                      f"sleutel, {_hash_sql('v')} AS inhoud, a.kvk_nummer AS afgeleid FROM {alias}.partij_vermelding v "
                      f"LEFT JOIN {inferred} a ON a.bron = v.bron AND a.record_sleutel = v.record_sleutel")
        store.execute(f"CREATE OR REPLACE TEMP TABLE _vorige_ent AS SELECT bron || '/' || record_sleutel AS sleutel, "
                      f"entiteit_id, zekerheid FROM {alias}.entiteit")
        store.execute(f"CREATE OR REPLACE TEMP TABLE _vorig_model AS SELECT * FROM {alias}.{ps.MODEL_TABLE}")
        if prev.has_table(store, "beoordeling_wachtrij"):
            store.execute(f"CREATE OR REPLACE TEMP TABLE _vorige_wachtrij AS SELECT links, rechts, kans "
                          f"FROM {alias}.beoordeling_wachtrij")
        else:
            store.execute("CREATE OR REPLACE TEMP TABLE _vorige_wachtrij "
                          "(links VARCHAR, rechts VARCHAR, kans DOUBLE)")
    return True


def _classify(store: Store, judged_keys: list[str]) -> dict[str, int]:
    """Table `_status(sleutel, status, geraakt)`: each mention's status against the previous delivery, and
    whether it must be resolved again (new, changed, or in an earlier party that lost or changed a record
    or that a judgement touches). Returns the record counts for the report."""
    store.write_arrow("_geoordeeld", pa.table({"sleutel": pa.array(judged_keys, pa.string())}))
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _status AS
        SELECT n.bron || '/' || n.record_sleutel AS sleutel,
               CASE WHEN v.sleutel IS NULL THEN 'nieuw'
                    WHEN v.inhoud <> {_hash_sql('n')} OR v.afgeleid IS DISTINCT FROM a.kvk_nummer THEN 'gewijzigd'
                    ELSE 'gelijk' END AS status
        FROM partij_vermelding n LEFT JOIN _vorige_pv v ON v.sleutel = n.bron || '/' || n.record_sleutel
        LEFT JOIN {COMPANY_NUMBERS} a ON a.bron = n.bron AND a.record_sleutel = n.record_sleutel""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _verwijderd AS
        SELECT v.sleutel FROM _vorige_pv v ANTI JOIN _status s USING (sleutel)""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _onrustig AS
        SELECT DISTINCT e.entiteit_id FROM _vorige_ent e
        WHERE e.sleutel IN (SELECT sleutel FROM _verwijderd)
           OR e.sleutel IN (SELECT sleutel FROM _status WHERE status = 'gewijzigd')
           OR e.sleutel IN (SELECT sleutel FROM _geoordeeld)""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _status AS
        SELECT s.sleutel, s.status, e.entiteit_id AS vorige_entiteit,
               s.status <> 'gelijk' OR e.entiteit_id IS NULL
                 OR e.entiteit_id IN (SELECT entiteit_id FROM _onrustig) AS geraakt
        FROM _status s LEFT JOIN _vorige_ent e USING (sleutel)""")
    counts = dict(store.rows("SELECT status, count(*) FROM _status GROUP BY 1"))
    return {"nieuw": counts.get("nieuw", 0), "gewijzigd": counts.get("gewijzigd", 0),
            "verwijderd": int(store.scalar("SELECT count(*) FROM _verwijderd")),
            "ongewijzigd": counts.get("gelijk", 0),
            "opnieuw_geresolveerd": int(store.scalar("SELECT count(*) FROM _status WHERE geraakt")),
            "partijen_opnieuw_geresolveerd": int(store.scalar("SELECT count(*) FROM _onrustig"))}


def _frames(store: Store) -> dict[str, pa.Table]:
    """Person and company profiles as a full run builds them, with `nieuw`: the profile holds a record that
    is resolved again."""
    # `vorige`: the earlier party of a profile's records when none is resolved again (the smallest, should they
    # be in several: `verspreid`), so the clustering finds every profile's node without joining all records
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _profiel_nieuw AS
        SELECT v.profiel, bool_or(s.geraakt) AS nieuw, min(s.vorige_entiteit) AS vorige,
               min(s.vorige_entiteit) <> max(s.vorige_entiteit) AS verspreid
        FROM _pv v JOIN _status s USING (sleutel) GROUP BY 1""")
    base = "FROM _profiel p JOIN _profiel_nieuw n USING (profiel)"
    persons = store.con.sql(
        f"SELECT {', '.join('p.' + c for c in ps.PERSON_COLUMNS)}, n.nieuw {base} "
        "WHERE p.soort = 'persoon' AND p.achternaam_sleutel IS NOT NULL ORDER BY p.unique_id").to_arrow_table()
    companies = store.con.sql(
        f"SELECT {', '.join('p.' + c for c in ps.COMPANY_COLUMNS)}, n.nieuw {base} "
        "WHERE p.soort = 'bedrijf' ORDER BY p.unique_id").to_arrow_table()
    return {"persoon": persons, "bedrijf": companies}


def drift(store: Store, frames: dict[str, pa.Table]) -> tuple[str | None, dict[str, Any]]:
    """Why the kept model no longer fits this delivery (None: it fits), and the figures that decided it."""
    models = {r[0]: r for r in store.rows("SELECT soort, profielen, overeenstemming FROM _vorig_model")}
    figures: dict[str, Any] = {}
    reasons: list[str] = []
    for kind, frame in frames.items():
        _, trained_n, trained_rates = models[kind]
        n = frame.num_rows
        new = sum(frame.column("nieuw").to_pylist()) if n else 0
        share = new / n if n else 0.0
        size = (n - trained_n) / trained_n if trained_n else 1.0
        rates = ps.agreement_rates(frame, ps.DRIFT_COLUMNS[kind])
        before = json.loads(trained_rates)
        ratios = {c: (rates[c] / before[c] if before.get(c) else (1.0 if not rates[c] else math.inf))
                  for c in rates}
        worst = max(ratios, key=lambda c: abs(math.log(ratios[c])) if 0 < ratios[c] < math.inf else math.inf)
        figures[kind] = {"profielen": n, "profielen_bij_training": trained_n,
                         "aandeel_nieuw_of_gewijzigd": round(share, 4), "groei_sinds_training": round(size, 4),
                         "grootste_verschuiving_overeenstemming": {"kolom": worst,
                                                                   "factor": round(ratios[worst], 3)}}
        if share > MAX_NEW_SHARE:
            reasons.append(f"{kind}: {share:.0%} van de profielen nieuw of gewijzigd (grens {MAX_NEW_SHARE:.0%})")
        if abs(size) > MAX_SIZE_CHANGE:
            reasons.append(f"{kind}: {size:+.0%} profielen sinds de training (grens {MAX_SIZE_CHANGE:.0%})")
        r = ratios[worst]
        if not (1 / MAX_AGREEMENT_RATIO <= r <= MAX_AGREEMENT_RATIO):
            reasons.append(f"{kind}: overeenstemming op {worst} veranderde met factor {r:.2f} "
                           f"(grens {MAX_AGREEMENT_RATIO:g})")
    return ("; ".join(reasons) or None), figures


def _restricted(model_json: str) -> dict[str, Any]:
    """The kept model with every blocking rule limited to pairs with at least one new or changed profile."""
    settings = json.loads(model_json)
    # Each rule twice, once for a new left and once for a new right profile (and an old left): a condition on one
    # side is pushed below the join, so DuckDB joins the few new profiles against all instead of all against all
    # and then dropping the pairs without a new one ((l.nieuw OR r.nieuw) spans both sides and cannot be pushed).
    # At 200,000 units the same 662,757 pairs, Splink's prediction 4.8 -> 3.3 s.
    rules = []
    for rule in settings["blocking_rules_to_generate_predictions"]:
        rules.append({**rule, "blocking_rule": f"({rule['blocking_rule']}) AND l.nieuw"})
        rules.append({**rule, "blocking_rule": f"({rule['blocking_rule']}) AND r.nieuw AND NOT l.nieuw"})
    settings["blocking_rules_to_generate_predictions"] = rules
    return settings


def _score_new(store: Store, frames: dict[str, pa.Table], floor: float, engine: ps.Engine, spark: Any) -> pa.Table:
    models = dict(store.rows("SELECT soort, model FROM _vorig_model"))
    scored = []
    with store.yielding_memory(), ps._db_api(engine, spark) as api:
        for kind, frame in frames.items():
            if frame.num_rows < 2 or not any(frame.column("nieuw").to_pylist()):
                continue
            bounds = ps.Fallbacks([])
            frame = ps.bounded(frame, kind, bounds)
            if ps.TRAINING_NUMBER in frame.column_names:  # only training reads it, and this run does not train
                frame = frame.drop_columns([ps.TRAINING_NUMBER])
            for stap, reden, terugval in bounds.items:
                record_fallback(store, stap, reden, terugval)
            linker = Linker(ps._register(api, engine, frame), _restricted(models[kind]), log_level=logging.WARNING)
            scored.append(ps._pairs(linker.inference.predict(threshold_match_probability=floor,
                                                             warning_mode="never"), engine))
    return pa.concat_tables(scored) if scored else ps._empty_pairs()


def _cluster_new(store: Store, threshold: float, judged: dict, overgenomen: dict[str, int],
                 take_over: bool = True) -> int:
    """Constrained clustering as in a full run, over the profiles resolved again and one node per kept earlier
    party a pair, a forced link or a shared KvK number reaches (its unchanged records, with their KvK number, BRP
    person and birth-date key). A kept party no new link reaches keeps its records, id and certainties as they
    were: with `take_over` its rows are copied from the earlier analysis (counted in `overgenomen`); the rest is
    written as a full run writes it. With `take_over=False` every kept party is a node, so the restriction is
    checked against clustering them all (tests/e2e/test_incremental.py). Returns the number of entities."""
    # every profile's node: its own when resolved again, else its earlier party's
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _profiel_knoop AS
        SELECT p.unique_id, CASE WHEN n.nieuw THEN p.unique_id ELSE 'oud:' || n.vorige END AS knoop
        FROM _profiel p JOIN _profiel_nieuw n USING (profiel)""")
    # An unchanged record in a profile that is resolved again (or in a profile shared with another earlier
    # party's records) still stays with its earlier party: a forced link from the profile's node to that party's.
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _gedwongen AS
        SELECT DISTINCT pk.knoop AS van, 'oud:' || s.vorige_entiteit AS naar
        FROM (SELECT profiel FROM _profiel_nieuw WHERE nieuw OR verspreid) n JOIN _pv v USING (profiel)
        JOIN _status s USING (sleutel) JOIN _profiel p USING (profiel) JOIN _profiel_knoop pk USING (unique_id)
        WHERE NOT s.geraakt AND pk.knoop <> 'oud:' || s.vorige_entiteit""")
    # A kept party is a node when something can reach it: a scored pair, a forced link, or a KvK number another
    # node holds too (the chain below); any other is alone in every clustering, so it is left out of it (it keeps
    # its rows, `_ent_behouden`) instead of being aggregated from all its records. Deriving every row
    # (`take_over=False`) makes every kept party a node, as before.
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _oud_kvk AS
        SELECT 'oud:' || s.vorige_entiteit AS knoop, max(p.kvk_nummer) AS kvk_nummer
        FROM (SELECT profiel, kvk_nummer FROM _profiel WHERE kvk_nummer IS NOT NULL) p JOIN _pv v USING (profiel)
        JOIN _status s USING (sleutel) WHERE NOT s.geraakt GROUP BY 1""")
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _oud_nodig AS
        WITH nieuw_kvk AS (
            SELECT p.kvk_nummer FROM _profiel p JOIN _profiel_nieuw n USING (profiel)
            WHERE n.nieuw AND p.kvk_nummer IS NOT NULL),
        kvk AS (SELECT kvk_nummer FROM (SELECT kvk_nummer FROM nieuw_kvk UNION ALL SELECT kvk_nummer FROM _oud_kvk)
                GROUP BY 1 HAVING count(*) > 1)
        SELECT DISTINCT substr(knoop, 5) AS vorige_entiteit FROM (
            SELECT knoop FROM _profiel_knoop WHERE knoop LIKE 'oud:%' AND (
                unique_id IN (SELECT unique_id_l FROM _paar) OR unique_id IN (SELECT unique_id_r FROM _paar))
            UNION ALL SELECT van FROM _gedwongen WHERE van LIKE 'oud:%'
            UNION ALL SELECT naar FROM _gedwongen
            UNION ALL SELECT knoop FROM _oud_kvk WHERE kvk_nummer IN (SELECT kvk_nummer FROM kvk)
            UNION ALL SELECT 'oud:' || vorige_entiteit FROM _status WHERE {'false' if take_over else 'true'}
                                                                        AND NOT geraakt)""")
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _knoop AS
        WITH nieuw AS (
            SELECT p.unique_id AS knoop, p.kvk_nummer, p.persoon_token, p.geboortedatum_sleutel
            FROM _profiel p JOIN _profiel_nieuw n USING (profiel) WHERE n.nieuw),
        oud AS (
            SELECT 'oud:' || s.vorige_entiteit AS knoop, max(p.kvk_nummer) AS kvk_nummer,
                   max(p.persoon_token) AS persoon_token, max(p.geboortedatum_sleutel) AS geboortedatum_sleutel
            FROM _status s JOIN _pv v USING (sleutel) JOIN _profiel p USING (profiel)
            WHERE NOT s.geraakt AND s.vorige_entiteit IN (SELECT vorige_entiteit FROM _oud_nodig)
            GROUP BY s.vorige_entiteit)
        SELECT *, CAST(row_number() OVER (ORDER BY knoop) - 1 AS INTEGER) AS i
        FROM (SELECT * FROM nieuw UNION ALL SELECT * FROM oud)""")
    n_nodes = int(store.scalar("SELECT count(*) FROM _knoop"))
    links = store.con.execute("""
        SELECT a.i AS l, b.i AS r, CAST(round(q.match_probability, 6) AS DOUBLE) AS p FROM _paar q
        JOIN _profiel_knoop ka ON ka.unique_id = q.unique_id_l JOIN _knoop a ON a.knoop = ka.knoop
        JOIN _profiel_knoop kb ON kb.unique_id = q.unique_id_r JOIN _knoop b ON b.knoop = kb.knoop
        WHERE q.match_probability >= ? AND a.i <> b.i ORDER BY p DESC, q.unique_id_l, q.unique_id_r""",
                                     [threshold]).fetchnumpy()
    first_with: dict[str, int] = {}
    chain_l, chain_r = [], []
    for kvk, i in store.rows("SELECT kvk_nummer, i FROM _knoop WHERE kvk_nummer IS NOT NULL ORDER BY i"):
        # the same KvK number is the same company
        if kvk:
            j = first_with.setdefault(kvk, i)
            if j != i:
                chain_l.append(j)
                chain_r.append(i)
    left = np.concatenate([np.asarray(links["l"], dtype=np.int64), np.asarray(chain_l, dtype=np.int64)])
    right = np.concatenate([np.asarray(links["r"], dtype=np.int64), np.asarray(chain_r, dtype=np.int64)])
    prob = np.concatenate([np.asarray(links["p"], dtype=float), np.ones(len(chain_l))])
    # the node of each judged record (only those: the judgements are few, the records many)
    node_of = dict(store.rows("SELECT v.sleutel, k.i FROM _pv v JOIN _profiel p USING (profiel) "
                              "JOIN _profiel_knoop pk USING (unique_id) JOIN _knoop k USING (knoop) "
                              "WHERE v.sleutel IN (SELECT sleutel FROM _beoordeeld)"))
    forced = [(node_of[a], node_of[b]) for (a, b), j in judged.items()
              if j.oordeel == "zelfde" and a in node_of and b in node_of]
    cannot = [(node_of[a], node_of[b]) for (a, b), j in judged.items()
              if j.oordeel == "verschillend" and a in node_of and b in node_of]
    # an unchanged record in a profile that is resolved again still stays with its earlier party
    forced += store.rows("SELECT a.i, b.i FROM _gedwongen g JOIN _knoop a ON a.knoop = g.van "
                         "JOIN _knoop b ON b.knoop = g.naar ORDER BY a.i, b.i")
    # only the nodes a link or judgement reaches are clustered (and their attributes fetched): a kept party
    # nothing reaches stays alone, as it would in clustering over all nodes
    result = cluster_reached(n_nodes, left, right, prob, lambda reached: _exclusive(store, reached), forced, cannot)
    size = np.bincount(np.asarray(result.membership, dtype=np.int64), minlength=n_nodes)
    store.write_arrow("_knoop_cluster", pa.table({
        "i": pa.array(range(n_nodes), pa.int32()), "cluster": pa.array(result.membership, pa.int64()),
        "alleen": pa.array([bool(size[c] == 1) for c in result.membership]),
        "zekerheid": pa.array(result.zekerheid, pa.float64())}))
    # A kept party alone in its cluster is exactly its earlier records, all unchanged: a record of it in a
    # profile resolved again, or in a profile shared with another party's records, is force-linked to its
    # node, and a party that lost, changed or had judged a record is resolved again whole (no 'oud:' node).
    # Its rows are the earlier analysis' rows, copied (`take_over=False` derives them like all others).
    store.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ent_behouden AS
        SELECT e.sleutel, e.entiteit_id, e.zekerheid FROM _vorige_ent e
        WHERE {'true' if take_over else 'false'}
          AND e.entiteit_id IN (SELECT vorige_entiteit FROM _status WHERE NOT geraakt)
          AND e.entiteit_id NOT IN (
            SELECT substr(k.knoop, 5) FROM _knoop k JOIN _knoop_cluster c USING (i)
            WHERE NOT c.alleen AND k.knoop LIKE 'oud:%')""")
    # the other mentions are named as a full run names them
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _lid AS
        SELECT v.sleutel, c.cluster, c.alleen, k.knoop LIKE 'oud:%' AS oud, s.geraakt,
               CASE WHEN NOT s.geraakt THEN e.zekerheid ELSE c.zekerheid END AS zekerheid, e.entiteit_id AS vorige
        FROM (SELECT sleutel, profiel FROM _pv ANTI JOIN _ent_behouden USING (sleutel)) v
        JOIN _profiel p USING (profiel) JOIN _profiel_knoop pk USING (unique_id)
        JOIN _knoop k USING (knoop) JOIN _knoop_cluster c USING (i) JOIN _status s USING (sleutel)
        LEFT JOIN _vorige_ent e USING (sleutel)""")
    store.execute("""
        CREATE OR REPLACE TABLE entiteit AS
        WITH naam AS (SELECT cluster, 'E' || left(sha1(min(sleutel)), 12) AS entiteit_id FROM _lid GROUP BY 1),
        rij AS (
            SELECT l.sleutel, CASE WHEN l.alleen AND l.oud THEN l.vorige ELSE n.entiteit_id END AS entiteit_id,
                   CASE WHEN l.sleutel = min(l.sleutel) OVER (PARTITION BY l.cluster) THEN 1.0
                        ELSE l.zekerheid END AS zekerheid
            FROM _lid l JOIN naam n USING (cluster)
            UNION ALL
            SELECT sleutel, entiteit_id, CASE WHEN sleutel = min(sleutel) OVER (PARTITION BY entiteit_id) THEN 1.0
                                              ELSE zekerheid END
            FROM _ent_behouden)
        SELECT split_part(sleutel, '/', 1) AS bron, substr(sleutel, strpos(sleutel, '/') + 1) AS record_sleutel,
               entiteit_id, zekerheid
        FROM rij ORDER BY bron, record_sleutel""")
    kept = store.rows("SELECT count(DISTINCT entiteit_id), count(*) FROM _ent_behouden")[0]
    overgenomen["partijen"], overgenomen["records"] = int(kept[0]), int(kept[1])
    for table in ("_knoop", "_profiel_knoop", "_knoop_cluster", "_lid", "_ent_behouden", "_gedwongen", "_oud_kvk",
                  "_oud_nodig"):
        store.execute(f"DROP TABLE IF EXISTS {table}")
    return int(store.scalar("SELECT count(DISTINCT entiteit_id) FROM entiteit"))


def _exclusive(store: Store, reached: np.ndarray) -> list[list[str | None]]:
    """KvK number, BRP person and birth-date key of the nodes `reached` (ascending), for clustering."""
    store.write_arrow("_bereikt", pa.table({"i": pa.array(reached, pa.int32())}))
    rows = store.rows("SELECT k.kvk_nummer, k.persoon_token, k.geboortedatum_sleutel FROM _knoop k "
                      "SEMI JOIN _bereikt b USING (i) ORDER BY k.i")
    store.execute("DROP TABLE _bereikt")
    return [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]]


def _carry_review_queue(store: Store) -> None:
    """Pairs of unchanged records the earlier analysis queued stay queued (they were not scored again)."""
    store.execute("""
        CREATE OR REPLACE TEMP TABLE _paar_vorig AS
        SELECT w.links AS unique_id_l, w.rechts AS unique_id_r, CAST(w.kans AS DOUBLE) AS match_probability
        FROM _vorige_wachtrij w
        JOIN _status a ON a.sleutel = w.links AND NOT a.geraakt
        JOIN _status b ON b.sleutel = w.rechts AND NOT b.geraakt""")
    store.execute("INSERT INTO _paar SELECT * FROM _paar_vorig")
    store.execute("DROP TABLE _paar_vorig")


def resolve_incremental(
    store: Store,
    previous: Path,
    judgements: Path | None = None,
    engine: ps.Engine = "duckdb",
    threshold: float = ps.DREMPEL,
    review: tuple[float, float] = (ps.WACHTRIJ_ONDER, ps.WACHTRIJ_BOVEN),
    spark: Any = None,
    take_over: bool = True,
) -> tuple[int | None, Plan]:
    """Resolve this delivery's mentions against the previous analysis' parties. Returns the number of
    entities and the plan, or (None, plan) when a full resolution is needed (plan.reden says why).
    `take_over=False` derives the rows of untouched kept parties instead of copying them (same table)."""
    if store.scalar("SELECT count(*) FROM partij_vermelding") < ps.MIN_MENTIONS:
        return None, Plan("volledig", "geen", f"minder dan {ps.MIN_MENTIONS} partijvermeldingen")
    if not _copy_previous(store, previous):
        return None, Plan("volledig", "getraind", "de vorige analyse bewaarde geen getraind koppelmodel")
    infer_company_numbers(store)
    judged = current_judgements(judgements or default_path(store.path))
    judged_keys = sorted({k for pair in judged for k in pair})
    counts = _classify(store, judged_keys)
    store.write_arrow("_beoordeeld", pa.table({"sleutel": pa.array(judged_keys, pa.string())}))
    store.write_arrow("_oordeel_paar", pa.table({"links": pa.array([a for a, _ in judged], pa.string()),
                                                 "rechts": pa.array([b for _, b in judged], pa.string())}))
    ps.build_profiles(store)
    frames = _frames(store)
    why, figures = drift(store, frames)
    if why:
        _drop(store)
        return None, Plan("volledig", "getraind", f"drift: {why}", counts, figures)
    pairs = _score_new(store, frames, min(review[0], threshold), engine, spark)
    store.write_arrow("_paar", pairs)
    _carry_model(store)
    overgenomen: dict[str, int] = {}
    n_entities = _cluster_new(store, threshold, judged, overgenomen, take_over)
    overgenomen["berekend"] = int(store.scalar("SELECT count(*) FROM entiteit")) - overgenomen["records"]
    _carry_review_queue(store)
    ps._write_review_queue(store, review, threshold)
    log.info("incremental party resolution: %d of %d mentions resolved again, %d pairs scored",
             counts["opnieuw_geresolveerd"], counts["opnieuw_geresolveerd"] + counts["ongewijzigd"], pairs.num_rows)
    counts["paren_gescoord"] = pairs.num_rows
    _drop(store)
    return n_entities, Plan("incrementeel", "hergebruikt", "geen drift sinds de training van het model",
                            counts, figures, overgenomen)


def _carry_model(store: Store) -> None:
    """The reused model goes into this store too (the next delivery reuses it again), and the fallbacks its
    training took are recorded again: they still shape this delivery's links."""
    store.execute(f"CREATE OR REPLACE TABLE {ps.MODEL_TABLE} AS SELECT * FROM _vorig_model ORDER BY soort")
    for (items,) in store.rows(f"SELECT terugvallen FROM {ps.MODEL_TABLE} ORDER BY soort"):
        for stap, reden, terugval in json.loads(items):
            record_fallback(store, stap, f"{reden} (bij de training van het hergebruikte model)", terugval)


def _drop(store: Store) -> None:
    for table in ("_vorige_pv", "_vorige_ent", "_vorig_model", "_vorige_wachtrij", "_status", "_verwijderd",
                  "_onrustig", "_geoordeeld", "_profiel_nieuw", "_paar", "_beoordeeld", "_oordeel_paar"):
        store.execute(f"DROP TABLE IF EXISTS {table}")


def resolve_delivery(
    store: Store,
    previous: Path | None,
    opnieuw: bool = False,
    judgements: Path | None = None,
    engine: ps.Engine = "duckdb",
    spark: Any = None,
) -> tuple[int, Plan]:
    """Resolve the parties of a delivery: incrementally when it continues an earlier analysis with a kept
    model and the data did not drift; in full (training the model) for a first delivery, with `--opnieuw`,
    or when the incremental run cannot be trusted. Returns the number of entities and what was done."""
    if previous is not None and not opnieuw and not isinstance(store, Store):
        plan = Plan("volledig", "getraind", "incrementeel koppelen draait alleen op de DuckDB-opslag")
    elif previous is not None and not opnieuw:
        n, plan = resolve_incremental(store, previous, judgements, engine=engine, spark=spark)
        if n is not None:
            plan.em = ps.em_report(store)  # of the training of the reused model
            return n, plan
    else:
        plan = Plan("volledig", "getraind", "--opnieuw: alles opnieuw gekoppeld, ids behouden" if previous is not None
                    else "eerste levering in deze map")
    n = ps.resolve_parties(store, engine=engine, judgements=judgements, spark=spark)
    if not store.scalar(f"SELECT count(*) FROM {ps.MODEL_TABLE}"):
        plan.model = "geen"
    plan.em = ps.em_report(store)
    return n, plan
