"""Builds small IMBAG 2.0 XML documents (same namespaces and nesting as a Kadaster extract) for tests."""

from __future__ import annotations

from xml.sax.saxutils import escape

NS = {
    "Objecten": "www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601",
    "Objecten-ref": "www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601",
    "Historie": "www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601",
    "gml": "http://www.opengis.net/gml/3.2",
    "sl-bag-extract": "http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/v20200601",
    "sl": "http://www.kadaster.nl/schemas/standlevering-generiek/1.0",
    "selecties-extract": "http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601",
}


def voorkomen(nr: int = 1, begin: str = "2010-01-01", eind: str | None = None, eind_reg: str | None = None) -> str:
    parts = [f"<Historie:voorkomenidentificatie>{nr}</Historie:voorkomenidentificatie>",
             f"<Historie:beginGeldigheid>{begin}</Historie:beginGeldigheid>"]
    if eind:
        parts.append(f"<Historie:eindGeldigheid>{eind}</Historie:eindGeldigheid>")
    parts.append(f"<Historie:tijdstipRegistratie>{begin}T10:00:00.000</Historie:tijdstipRegistratie>")
    if eind_reg:
        parts.append(f"<Historie:eindRegistratie>{eind_reg}T10:00:00.000</Historie:eindRegistratie>")
    return "<Objecten:voorkomen><Historie:Voorkomen>" + "".join(parts) + "</Historie:Voorkomen></Objecten:voorkomen>"


def vbo(vid: str, num: str, pand: str, *, x: float = 100000.0, y: float = 400000.0, doelen=("woonfunctie",),
        opp: int = 80, status: str = "Verblijfsobject in gebruik", polygon: list[tuple[float, float]] | None = None,
        nr: int = 1, begin: str = "2010-01-01", eind: str | None = None, neven: tuple[str, ...] = (),
        eind_reg: str | None = None) -> str:
    if polygon:
        pos = " ".join(f"{a} {b} 0.0" for a, b in polygon)
        geom = ('<Objecten:vlak><gml:Polygon srsName="urn:ogc:def:crs:EPSG::28992" srsDimension="3"><gml:exterior>'
                f'<gml:LinearRing><gml:posList count="{len(polygon)}">{pos}</gml:posList></gml:LinearRing>'
                "</gml:exterior></gml:Polygon></Objecten:vlak>")
    else:
        geom = (f'<Objecten:punt><gml:Point srsName="urn:ogc:def:crs:EPSG::28992" srsDimension="3">'
                f"<gml:pos>{x} {y} 0.0</gml:pos></gml:Point></Objecten:punt>")
    neven_xml = "".join(
        f'<Objecten:heeftAlsNevenadres><Objecten-ref:NummeraanduidingRef domein="NL.IMBAG.Nummeraanduiding">{n}'
        "</Objecten-ref:NummeraanduidingRef></Objecten:heeftAlsNevenadres>" for n in neven)
    return (
        "<Objecten:Verblijfsobject>"
        f'<Objecten:heeftAlsHoofdadres><Objecten-ref:NummeraanduidingRef domein="NL.IMBAG.Nummeraanduiding">{num}'
        "</Objecten-ref:NummeraanduidingRef></Objecten:heeftAlsHoofdadres>" + neven_xml
        + voorkomen(nr, begin, eind, eind_reg)
        + f'<Objecten:identificatie domein="NL.IMBAG.Verblijfsobject">{vid}</Objecten:identificatie>'
        + f"<Objecten:geometrie>{geom}</Objecten:geometrie>"
        + "".join(f"<Objecten:gebruiksdoel>{escape(d)}</Objecten:gebruiksdoel>" for d in doelen)
        + f"<Objecten:oppervlakte>{opp}</Objecten:oppervlakte><Objecten:status>{escape(status)}</Objecten:status>"
        + f'<Objecten:maaktDeelUitVan><Objecten-ref:PandRef domein="NL.IMBAG.Pand">{pand}</Objecten-ref:PandRef>'
        + "</Objecten:maaktDeelUitVan></Objecten:Verblijfsobject>"
    )


def num(nid: str, opr: str, huisnummer: int, postcode: str | None = "1234AB", *, letter: str | None = None,
        toevoeging: str | None = None, status: str = "Naamgeving uitgegeven", nr: int = 1,
        begin: str = "2010-01-01", eind: str | None = None, eind_reg: str | None = None) -> str:
    extra = ""
    if letter:
        extra += f"<Objecten:huisletter>{escape(letter)}</Objecten:huisletter>"
    if toevoeging:
        extra += f"<Objecten:huisnummertoevoeging>{escape(toevoeging)}</Objecten:huisnummertoevoeging>"
    if postcode:
        extra += f"<Objecten:postcode>{postcode}</Objecten:postcode>"
    return (
        f'<Objecten:Nummeraanduiding><Objecten:identificatie domein="NL.IMBAG.Nummeraanduiding">{nid}'
        f"</Objecten:identificatie><Objecten:huisnummer>{huisnummer}</Objecten:huisnummer>{extra}"
        f"<Objecten:typeAdresseerbaarObject>Verblijfsobject</Objecten:typeAdresseerbaarObject>"
        f"<Objecten:status>{escape(status)}</Objecten:status>" + voorkomen(nr, begin, eind, eind_reg)
        + f'<Objecten:ligtAan><Objecten-ref:OpenbareRuimteRef domein="NL.IMBAG.OpenbareRuimte">{opr}'
        "</Objecten-ref:OpenbareRuimteRef></Objecten:ligtAan></Objecten:Nummeraanduiding>"
    )


def opr(oid: str, naam: str, wpl: str) -> str:
    return (
        f'<Objecten:OpenbareRuimte><Objecten:identificatie domein="NL.IMBAG.OpenbareRuimte">{oid}'
        f"</Objecten:identificatie><Objecten:naam>{escape(naam)}</Objecten:naam><Objecten:type>Weg</Objecten:type>"
        "<Objecten:status>Naamgeving uitgegeven</Objecten:status>" + voorkomen()
        + f'<Objecten:ligtIn><Objecten-ref:WoonplaatsRef domein="NL.IMBAG.Woonplaats">{wpl}'
        "</Objecten-ref:WoonplaatsRef></Objecten:ligtIn></Objecten:OpenbareRuimte>"
    )


def wpl(wid: str, naam: str) -> str:
    return (
        f'<Objecten:Woonplaats><Objecten:identificatie domein="NL.IMBAG.Woonplaats">{wid}</Objecten:identificatie>'
        f"<Objecten:naam>{escape(naam)}</Objecten:naam><Objecten:status>Woonplaats aangewezen</Objecten:status>"
        + voorkomen() + "</Objecten:Woonplaats>"
    )


def pnd(pid: str, bouwjaar: int, *, nr: int = 1, begin: str = "2010-01-01", eind: str | None = None) -> str:
    return (
        f'<Objecten:Pand><Objecten:identificatie domein="NL.IMBAG.Pand">{pid}</Objecten:identificatie>'
        f"<Objecten:oorspronkelijkBouwjaar>{bouwjaar}</Objecten:oorspronkelijkBouwjaar>"
        "<Objecten:status>Pand in gebruik</Objecten:status>" + voorkomen(nr, begin, eind) + "</Objecten:Pand>"
    )


def document(objects: list[str], gemeente: str = "0599", stand: str = "2024-06-30") -> str:
    """A whole extract file (sl-bag-extract:bagStand) around the given object snippets."""
    xmlns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
    stands = "".join(f"<sl:stand><sl-bag-extract:bagObject>{o}</sl-bag-extract:bagObject></sl:stand>"
                     for o in objects)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sl-bag-extract:bagStand {xmlns}>\n'
        "<sl-bag-extract:bagInfo><selecties-extract:Gebied-Registratief><selecties-extract:Gebied-GEM>"
        "<selecties-extract:GemeenteCollectie><selecties-extract:Gemeente>"
        f"<selecties-extract:GemeenteIdentificatie>{gemeente}</selecties-extract:GemeenteIdentificatie>"
        "</selecties-extract:Gemeente></selecties-extract:GemeenteCollectie></selecties-extract:Gebied-GEM>"
        "</selecties-extract:Gebied-Registratief><selecties-extract:LVC-Extract>"
        f"<selecties-extract:StandTechnischeDatum>{stand}</selecties-extract:StandTechnischeDatum>"
        "</selecties-extract:LVC-Extract></sl-bag-extract:bagInfo>\n"
        f"<sl:standBestand><sl:dataset>LVBAG</sl:dataset>\n{stands}\n</sl:standBestand></sl-bag-extract:bagStand>\n"
    )


def element(snippet: str):
    """Parse one object snippet into an Element, with the extract's namespaces declared."""
    from xml.etree import ElementTree as ET

    xmlns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
    root = ET.fromstring(f"<wrap {xmlns}>{snippet}</wrap>")
    return root[0]


def gwr_document(relations: list[tuple[str, str, str, str | None]]) -> str:
    """A GEM-WPL-RELATIE extract file: (woonplaats id, gemeente code, begin, end or None) per relation."""
    ns = "www.kadaster.nl/schemas/lvbag/gem-wpl-rel"
    body = ""
    for wpl_id, gemeente, begin, eind in relations:
        end = f"<bagtypes:einddatumTijdvakGeldigheid>{eind}</bagtypes:einddatumTijdvakGeldigheid>" if eind else ""
        body += (
            "<gwr-product:GemeenteWoonplaatsRelatie><gwr-product:tijdvakgeldigheid>"
            f"<bagtypes:begindatumTijdvakGeldigheid>{begin}</bagtypes:begindatumTijdvakGeldigheid>{end}"
            "</gwr-product:tijdvakgeldigheid><gwr-product:gerelateerdeWoonplaats>"
            f"<gwr-product:identificatie>{wpl_id}</gwr-product:identificatie></gwr-product:gerelateerdeWoonplaats>"
            f"<gwr-product:gerelateerdeGemeente><gwr-product:identificatie>{gemeente}</gwr-product:identificatie>"
            "</gwr-product:gerelateerdeGemeente><gwr-product:status>definitief</gwr-product:status>"
            "</gwr-product:GemeenteWoonplaatsRelatie>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gwr-bestand:BAG-GWR-Deelbestand-LVC xmlns:gwr-bestand="{ns}/bag-extract-deelbestand-lvc/v20200601" '
        f'xmlns:bagtypes="{ns}/bag-types/v20200601" xmlns:gwr-product="{ns}/gwr-producten-lvc/v20200601">'
        f"<gwr-bestand:antwoord><gwr-bestand:producten><gwr-product:LVC-product>{body}</gwr-product:LVC-product>"
        "</gwr-bestand:producten></gwr-bestand:antwoord></gwr-bestand:BAG-GWR-Deelbestand-LVC>\n"
    )
