"""Streaming reader for BAG 2.0 extract XML (IMBAG), as Kadaster delivers it.

A national extract is several GB of XML inside (nested) zips, so objects are
read one at a time with ``iterparse`` and every finished element is detached
from the tree: memory stays constant however large the file. Element names are
matched on their local part so a newer namespace version (``v2020...``) still
reads.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

import shapely

from pandzicht.errors import PandzichtError

OBJECT_TYPES = frozenset(
    {"Verblijfsobject", "Nummeraanduiding", "OpenbareRuimte", "Woonplaats", "Pand", "Ligplaats", "Standplaats",
     "GemeenteWoonplaatsRelatie"}
)
# Root elements of extract files that hold no objects by design (the delivery document).
_NO_OBJECTS_EXPECTED = frozenset({"BAG-Extract-Levering"})
# Statuses of an object that never existed or was withdrawn: such an object is not a current address or unit.
_DEAD_STATUS_WORDS = ("ingetrokken", "niet gerealiseerd", "ten onrechte", "gesloopt")


def local(tag: str) -> str:
    """The local part of a ``{namespace}name`` tag."""
    return tag.rsplit("}", 1)[-1]


def is_dead_status(status: str | None) -> bool:
    """True for statuses like 'Verblijfsobject ingetrokken' or 'Niet gerealiseerd pand'."""
    s = (status or "").lower()
    return any(w in s for w in _DEAD_STATUS_WORDS)


@dataclass
class ExtractInfo:
    """What the extract says about itself: selected municipalities and the stand date."""

    gemeenten: set[str] = field(default_factory=set)
    stand_datum: str | None = None
    # Every stand date named, with a file that names it: more than one means extracts of different dates mixed.
    standen: dict[str, str] = field(default_factory=dict)
    bestanden: list[str] = field(default_factory=list)
    # Files and zips that held no BAG object (a failed download, an error page, an empty zip), with what was found.
    zonder_objecten: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- element -> record


def _text(elem: ET.Element, path: str) -> str | None:
    found = elem.find(path)
    if found is None or found.text is None:
        return None
    text = found.text.strip()
    return text or None


def _history(elem: ET.Element) -> dict[str, Any]:
    vk = elem.find("{*}voorkomen/{*}Voorkomen")
    if vk is None:
        return {"voorkomen": None, "begin": None, "eind": None, "eind_registratie": None}
    nr = _text(vk, "{*}voorkomenidentificatie")
    return {
        "voorkomen": int(nr) if nr and nr.isdigit() else None,
        "begin": (_text(vk, "{*}beginGeldigheid") or "")[:10] or None,
        "eind": (_text(vk, "{*}eindGeldigheid") or "")[:10] or None,
        "eind_registratie": _text(vk, "{*}eindRegistratie"),
    }


def _coords(text: str, dims: int) -> list[tuple[float, float]]:
    vals = [float(v) for v in text.split()]
    return [(vals[i], vals[i + 1]) for i in range(0, len(vals) - dims + 1, dims)]


def geometry_point(geom: ET.Element | None) -> tuple[float | None, float | None, str]:
    """RD point of a BAG geometry: the point itself, or the centroid of a polygon. Returns (x, y, kind)."""
    if geom is None:
        return None, None, "geen"
    pos = geom.find(".//{*}Point/{*}pos")
    if pos is not None and pos.text:
        xy = _coords(pos.text, len(pos.text.split()))
        return xy[0][0], xy[0][1], "punt"
    for poly in geom.iter():
        if local(poly.tag) != "Polygon":
            continue
        ring = poly.find("{*}exterior/{*}LinearRing/{*}posList")
        if ring is None or not ring.text:
            continue
        dims = int(ring.get("srsDimension") or poly.get("srsDimension") or 2)
        holes = [
            _coords(h.text, dims) for h in poly.findall("{*}interior/{*}LinearRing/{*}posList") if h.text
        ]
        centroid = shapely.Polygon(_coords(ring.text, dims), holes).centroid
        return centroid.x, centroid.y, "vlak_centroide"
    return None, None, "geen"


def object_record(elem: ET.Element) -> tuple[str, dict[str, Any]]:
    """Turn one IMBAG object element into a flat record; the first item is the object type."""
    kind = local(elem.tag)
    rec: dict[str, Any] = {"id": _text(elem, "{*}identificatie"), "status": _text(elem, "{*}status")}
    rec.update(_history(elem))
    if kind == "Verblijfsobject":
        x, y, geom_kind = geometry_point(elem.find("{*}geometrie"))
        panden = [p.text.strip() for p in elem.findall("{*}maaktDeelUitVan/{*}PandRef") if p.text]
        rec.update(
            hoofdadres=_text(elem, "{*}heeftAlsHoofdadres/{*}NummeraanduidingRef"),
            nevenadressen=len(elem.findall("{*}heeftAlsNevenadres/{*}NummeraanduidingRef")),
            gebruiksdoel=";".join(g.text.strip() for g in elem.findall("{*}gebruiksdoel") if g.text) or None,
            oppervlakte=_text(elem, "{*}oppervlakte"),
            pand_id=panden[0] if panden else None,
            panden=len(panden),
            x=x,
            y=y,
            geometrie=geom_kind,
        )
    elif kind == "Nummeraanduiding":
        rec.update(
            huisnummer=_text(elem, "{*}huisnummer"),
            huisletter=_text(elem, "{*}huisletter"),
            huisnummertoevoeging=_text(elem, "{*}huisnummertoevoeging"),
            postcode=_text(elem, "{*}postcode"),
            openbare_ruimte_id=_text(elem, "{*}ligtAan/{*}OpenbareRuimteRef"),
            woonplaats_id=_text(elem, "{*}ligtIn/{*}WoonplaatsRef"),
        )
    elif kind == "OpenbareRuimte":
        rec.update(naam=_text(elem, "{*}naam"), woonplaats_id=_text(elem, "{*}ligtIn/{*}WoonplaatsRef"))
    elif kind == "Woonplaats":
        rec.update(naam=_text(elem, "{*}naam"))
    elif kind == "Pand":
        rec.update(bouwjaar=_text(elem, "{*}oorspronkelijkBouwjaar"))
    elif kind == "GemeenteWoonplaatsRelatie":
        rec = {
            "id": _text(elem, ".//{*}gerelateerdeWoonplaats/{*}identificatie"),
            "gemeente": _text(elem, ".//{*}gerelateerdeGemeente/{*}identificatie"),
            "begin": next((e.text.strip()[:10] for e in elem.iter() if local(e.tag).startswith("begindatum")
                           and e.text), None),
            "eind": next((e.text.strip()[:10] for e in elem.iter() if local(e.tag).startswith("einddatum")
                          and e.text), None),
        }
    return kind, rec


# ---------------------------------------------------------------- streaming


def iter_objects(stream: IO[bytes], name: str, info: ExtractInfo) -> Iterator[ET.Element]:
    """Yield each top-level BAG object element of one XML stream; finished elements are detached at once."""
    stack: list[ET.Element] = []
    object_depth: int | None = None
    root: str | None = None
    found = 0
    try:
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            if event == "start":
                root = root or local(elem.tag)
                stack.append(elem)
                if object_depth is None and local(elem.tag) in OBJECT_TYPES:
                    object_depth = len(stack)
                continue
            depth = len(stack)
            stack.pop()
            tag = local(elem.tag)
            if object_depth is not None and depth > object_depth:
                continue  # part of an object still being read
            if depth == object_depth:
                object_depth = None
                found += 1
                yield elem
            elif tag == "GemeenteIdentificatie" and elem.text and elem.text.strip():
                info.gemeenten.add(elem.text.strip())
            elif tag == "StandTechnischeDatum" and elem.text and elem.text.strip():
                info.stand_datum = max(info.stand_datum or "", elem.text.strip()[:10])
                info.standen.setdefault(elem.text.strip()[:10], name)
            elem.clear()
            if stack:
                stack[-1].remove(elem)
        if not found and root not in _NO_OBJECTS_EXPECTED:
            info.zonder_objecten.append(f"{name}: geen BAG-object (hoofdelement <{root}>)")
    except (zipfile.BadZipFile, zlib.error, EOFError):
        # a zip member whose bytes do not match its checksum or end early: a damaged or cut-off download
        raise PandzichtError(
            f"{name}: bestand in de zip is beschadigd of afgebroken (controlegetal klopt niet of gegevens "
            "houden op); download het extract opnieuw (regel -)"
        ) from None
    except ET.ParseError as exc:
        line, col = exc.position
        where = "/".join(local(e.tag) for e in stack[-3:]) or "(begin van het bestand)"
        reason = str(exc).split(":")[0]
        raise PandzichtError(
            f"{name}: regel {line}, kolom {col}: ongeldige of afgebroken BAG-XML in element <{where}> ({reason})"
        ) from None


@contextmanager
def _zip(path_or_stream: Path | IO[bytes], name: str) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(path_or_stream) as zf:
            yield zf
    except zipfile.BadZipFile:
        raise PandzichtError(f"{name}: geen geldig zip-bestand (regel -, element -)") from None


def _iter_zip(zf: zipfile.ZipFile, name: str,
              info: ExtractInfo | None) -> Iterator[tuple[str, Callable[[], IO[bytes]]]]:
    members = sorted(zf.namelist())
    if info is not None and not any(m.lower().endswith((".xml", ".zip")) for m in members):
        info.zonder_objecten.append(f"{name}: zip zonder XML-bestand ({len(members)} andere bestanden)")
    for member in members:
        label = f"{name}!{member}"
        low = member.lower()
        if low.endswith(".xml"):
            yield label, (lambda m=member: zf.open(m))
        elif low.endswith(".zip"):
            # A nested zip needs random access: copy it to a temporary file (streamed, never whole in memory).
            with tempfile.TemporaryFile() as tmp:
                with zf.open(member) as inner:
                    shutil.copyfileobj(inner, tmp, 1 << 20)
                tmp.seek(0)
                with _zip(tmp, label) as nested:
                    yield from _iter_zip(nested, label, info)


def iter_xml_members(src: Path, info: ExtractInfo | None = None) -> Iterator[tuple[str, Callable[[], IO[bytes]]]]:
    """Every XML document in a file, a zip (nested zips too) or a folder, as (name, opener), member by member.

    A zip without any XML is noted in ``info.zonder_objecten``.
    """
    src = Path(src)
    paths = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
    for path in paths:
        low = path.name.lower()
        if low.endswith(".xml"):
            yield str(path), (lambda p=path: p.open("rb"))
        elif low.endswith(".zip"):
            with _zip(path, str(path)) as zf:
                yield from _iter_zip(zf, str(path), info)
