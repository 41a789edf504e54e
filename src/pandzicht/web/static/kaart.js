// pandzicht: the region map on vendored Leaflet, drawn from /api/kaart (buurt polygons in WGS84, no tiles:
// nothing is fetched from outside the app). Without scripts the server-rendered SVG in .kaart-svg stays.
"use strict";

(function () {
  const NAMES_AFTER = 1.5;  // zoom steps in from the whole region before the names show, so labels do not pile up

  function params(el) {
    const q = new URLSearchParams();
    for (const k of ["kaart", "wijk", "buurt", "vermoeden", "bron", "punten"]) {
      const v = el.dataset[k];
      if (v) q.set(k, v);
    }
    return q;
  }

  function legend(data) {
    const box = document.createElement("div");
    box.className = "kaart-legenda";
    const p = document.createElement("p");
    p.textContent = data.maat + " per buurt";
    box.appendChild(p);
    const ul = document.createElement("ul");
    const rows = data.legenda.map(b => [b.kleur, b.label, "(" + b.waarden + "; " + b.aantal + (b.aantal === 1 ? " buurt)" : " buurten)")]);
    rows.push(["#eeeeee", "geen gegevens", ""]);
    for (const [kleur, label, extra] of rows) {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "vlak";
      sw.style.backgroundColor = kleur;  // CSSOM, allowed by the CSP (style attributes in HTML are not)
      li.appendChild(sw);
      li.appendChild(document.createTextNode(label + " "));
      if (extra) {
        const s = document.createElement("span");
        s.className = "zacht";
        s.textContent = extra;
        li.appendChild(s);
      }
      ul.appendChild(li);
    }
    if (data.punten.length) {
      const li = document.createElement("li");
      const dot = document.createElement("span");
      dot.className = "punt";
      li.appendChild(dot);
      li.appendChild(document.createTextNode("woning uit de lijst (top " + data.punten.length + "); klik voor het dossier"));
      ul.appendChild(li);
    }
    box.appendChild(ul);
    return box;
  }

  function draw(el, data) {
    const holder = document.createElement("div");
    holder.className = "kaart-leaflet";
    holder.setAttribute("role", "region");
    holder.setAttribute("aria-label", el.dataset.titel || "Kaart van de buurten");
    el.insertBefore(holder, el.firstChild);
    el.classList.add("kaart-actief");
    const map = L.map(holder, {zoomSnap: 0.25, attributionControl: true, preferCanvas: false});
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Buurtgrenzen: Inside Airbnb (CC BY 4.0)");
    const focus = new Set(data.focus);
    const layer = L.geoJSON(data.buurten, {
      style: f => ({
        color: focus.has(f.properties.naam) ? "#222" : "#888",
        weight: focus.has(f.properties.naam) ? 1.6 : 0.7,
        fillColor: f.properties.kleur,
        fillOpacity: focus.size && !focus.has(f.properties.naam) ? 0.3 : 0.85,
      }),
      onEachFeature: (f, lyr) => {
        const p = f.properties;
        const value = p.waarde === null ? "geen gegevens" : p.klasse;
        lyr.bindTooltip(p.naam, {permanent: true, direction: "center", className: "buurtlabel", interactive: false});
        lyr.bindPopup(() => {
          const div = document.createElement("div");
          const h = document.createElement("strong");
          h.textContent = p.naam;
          div.appendChild(h);
          div.appendChild(document.createTextNode(" (" + p.wijk + ")"));
          const v = document.createElement("p");
          v.textContent = data.maat + ": " + value + (p.opmerking ? " — " + p.opmerking : "");
          div.appendChild(v);
          if (p.url) {
            const a = document.createElement("a");
            a.href = p.url;
            a.textContent = "Lijst op deze buurt filteren";
            div.appendChild(a);
          }
          return div;
        });
      },
    });
    // the view first: Leaflet draws vectors only on a map that has a centre and zoom
    const focusLayers = layer.getLayers().filter(l => focus.has(l.feature.properties.naam));
    const bounds = focusLayers.length ? L.featureGroup(focusLayers).getBounds() : layer.getBounds();
    map.fitBounds(bounds, {padding: [10, 10]});
    layer.addTo(map);
    function tag(l, naam) {  // a buurt of several parts (a geometry collection) is a group of paths
      if (typeof l.getElement !== "function") { l.eachLayer(part => tag(part, naam)); return; }
      const e = l.getElement();
      if (e) { e.classList.add("kaart-buurt"); e.dataset.naam = naam; }
    }
    layer.eachLayer(l => tag(l, l.feature.properties.naam));
    const points = L.layerGroup().addTo(map);
    for (const pt of data.punten) {
      const m = L.circleMarker([pt.lat, pt.lon], {radius: 6, color: "#000", weight: 1.2, fillColor: "#1f5fa8",
                                                 fillOpacity: 0.95, className: "kaart-punt"});
      m.bindTooltip("Nr. " + pt.rang + " in de lijst — klik voor het dossier");
      m.on("click", () => { window.location.href = pt.url; });
      m.addTo(points);
      const e = m.getElement();
      if (e) e.dataset.url = pt.url;
    }
    el.appendChild(legend(data));
    const namesFrom = map.getZoom() + (focus.size ? 0 : NAMES_AFTER);
    function names() { holder.classList.toggle("namen-zichtbaar", map.getZoom() >= namesFrom); }
    map.on("zoomend", names);
    names();
    window.pandzichtKaart = {map: map, buurten: layer, punten: points, data: data};
    el.dataset.klaar = "1";
  }

  async function init() {
    const el = document.querySelector(".kaart-interactief");
    if (!el || typeof L === "undefined") return;
    try {
      const res = await fetch("/api/kaart?" + params(el).toString(), {headers: {Accept: "application/json"}});
      if (!res.ok) return;  // the SVG stays
      draw(el, await res.json());
    } catch (e) {  // offline, busy or a drawing error: the SVG stays, and the reason is in the console
      el.classList.remove("kaart-actief");
      console.warn("kaart: " + e);
    }
  }

  // The wijk filter drives the map, the party table and the address list together: choosing one reloads the
  // overview with it (the server filters all three).
  function autoSubmit() {
    const sel = document.querySelector("form.filters select[name=wijk]");
    if (sel) sel.addEventListener("change", () => sel.form.submit());
  }

  document.addEventListener("DOMContentLoaded", () => { autoSubmit(); init(); });
})();
