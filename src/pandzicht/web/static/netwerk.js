// pandzicht link chart: Cytoscape.js with the fcose layout (vendored, see static/vendor/vendor-lock.json).
// Loaded only when the analyst opens the chart. New nodes are laid out with every existing node fixed, so the
// picture never jumps; the node list beside the chart is the keyboard path through it.
"use strict";

(function () {
  const LIBS = ["/static/vendor/cytoscape/cytoscape.min.js", "/static/vendor/layout-base/layout-base.js",
                "/static/vendor/cose-base/cose-base.js", "/static/vendor/cytoscape-fcose/cytoscape-fcose.js"];
  const KINDS = {
    adres: {label: "adres", colour: "#d94801", shape: "round-rectangle"},
    persoon: {label: "persoon", colour: "#1f5fa8", shape: "ellipse"},
    bedrijf: {label: "bedrijf", colour: "#6a3d9a", shape: "hexagon"},
    melding: {label: "incident of melding", colour: "#2e7d32", shape: "triangle"},
  };
  const ROLE_MARK = {bemiddelaar: "bemiddelaar", verhuurder: "verhuurder", eigenaar: "eigenaar"};
  const EDGES = {
    owns: {label: "bezit", colour: "#1f5fa8", style: "solid"},
    lets: {label: "verhuurt", colour: "#6a3d9a", style: "solid"},
    rents: {label: "huurt", colour: "#2e7d32", style: "solid"},
    brokers: {label: "bemiddelt", colour: "#b3261e", style: "solid"},
    registered_at: {label: "ingeschreven", colour: "#6b6b6b", style: "dashed"},
    director_of: {label: "bestuurder", colour: "#b35806", style: "dashed"},
    involved_in_incident: {label: "betrokken bij incident", colour: "#000000", style: "dotted"},
    reported_at: {label: "melding", colour: "#2e7d32", style: "dotted"},
  };
  const PAGE = 40;
  const LABEL_ZOOM = 1.6;
  let libs = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      const s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = function () { reject(new Error(src)); };
      document.head.appendChild(s);
    });
  }

  function loadLibs() {
    if (!libs) {
      libs = LIBS.reduce(function (p, src) { return p.then(function () { return loadScript(src); }); },
                         Promise.resolve()).then(function () { window.cytoscape.use(window.cytoscapeFcose); });
    }
    return libs;
  }

  // A home's score is a learned probability: shown as the dossier shows it (web/formatting.py `procent`), never
  // as a bare 1,000 that reads as certainty; a party's score is a ranking number and keeps three decimals.
  function kans(p) {
    const pct = Number(p) * 100;
    if (pct >= 99.95) return "> 99,9%";
    return pct.toFixed(pct > 0 && pct < 0.1 ? 3 : 1).replace(".", ",") + "%";
  }

  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) e.setAttribute(k, attrs[k]);
    }
    for (const c of children) if (c) e.appendChild(c);
    return e;
  }

  async function getJSON(url) {
    const res = await fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"});
    if (!res.ok) throw new Error(url + " " + res.status);
    return res.json();
  }

  function nodeStyle() {
    const style = [
      {selector: "node", style: {
        "background-color": "#777", "shape": "ellipse", "width": 22, "height": 22, "border-width": 1.5,
        "border-color": "#222", "label": "", "font-size": 10,
        "text-valign": "bottom", "text-margin-y": 3, "color": "#1c1c1c", "text-background-color": "#ffffff",
        "text-background-opacity": 0.85, "text-background-padding": 2, "text-wrap": "ellipsis",
        "text-max-width": 160}},
      {selector: "node.hoog", style: {"label": "data(kort)"}},
      {selector: "node[?kern]", style: {"width": 34, "height": 34, "border-width": 3, "font-size": 13,
                                        "label": "data(kort)", "font-weight": "bold"}},
      {selector: "node.toon, node:selected", style: {"label": "data(kort)", "font-size": 12, "z-index": 20}},
      {selector: "node:selected", style: {"overlay-color": "#fdae6b", "overlay-opacity": 0.35, "overlay-padding": 6}},
      {selector: "node.vast", style: {"border-style": "double", "border-width": 5}},
      {selector: "node.rol-bemiddelaar", style: {"border-color": "#b3261e", "border-width": 4}},
      {selector: "node.vaag", style: {"opacity": 0.25}},
      {selector: "edge", style: {
        "width": 1.6, "line-color": "#999", "curve-style": "bezier", "target-arrow-shape": "triangle",
        "target-arrow-color": "#999", "arrow-scale": 0.8, "label": "", "font-size": 9, "color": "#333",
        "text-background-color": "#ffffff", "text-background-opacity": 0.9, "text-rotation": "autorotate"}},
      {selector: "edge.toon, edge:selected", style: {"label": "data(tekst)", "width": 3, "z-index": 20}},
      {selector: ".verborgen", style: {"display": "none"}},
    ];
    for (const k in KINDS) {
      style.splice(1, 0, {selector: `node[soort = "${k}"]`,
                          style: {"background-color": KINDS[k].colour, "shape": KINDS[k].shape}});
    }
    for (const k in EDGES) {
      style.splice(style.length - 2, 0, {selector: `edge[soort = "${k}"]`, style: {
        "line-color": EDGES[k].colour, "target-arrow-color": EDGES[k].colour, "line-style": EDGES[k].style}});
    }
    return style;
  }

  function shortLabel(n) {
    return n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label;
  }

  function Chart(box) {
    this.box = box;
    this.kern = box.dataset.knoop;
    this.pages = new Map();  // node id -> edges paged in by expanding it
    this.total = new Map();  // node id -> all its edges (graad)
    this.busy = false;
    this.build();
  }

  Chart.prototype.build = function () {
    const self = this;
    const box = this.box;
    const zaak = box.querySelector(".netwerk-zaak");
    const bar = h("div", {class: "netwerk-balk", role: "toolbar", "aria-label": "netwerkweergave"});
    const btn = function (text, title, fn) {
      const b = h("button", {type: "button", class: "klein", title: title, text: text});
      b.addEventListener("click", fn);
      bar.appendChild(b);
      return b;
    };
    btn("Passend", "alles in beeld", function () { self.cy.fit(undefined, 30); });
    btn("Inzoomen", "inzoomen", function () { self.zoomBy(1.25); });
    btn("Uitzoomen", "uitzoomen", function () { self.zoomBy(0.8); });
    btn("Herschikken", "alles opnieuw schikken; vastgezette knopen blijven staan", function () { self.relayout(); });
    btn("PNG", "exporteer als afbeelding (PNG)", function () { self.exportPng(); });
    btn("SVG", "exporteer als vectorafbeelding (SVG)", function () { self.exportSvg(); });

    const filters = h("fieldset", {class: "netwerk-filters"}, h("legend", {text: "Relaties tonen"}));
    this.kindBoxes = {};
    for (const k in EDGES) {
      const cb = h("input", {type: "checkbox", checked: "checked", value: k});
      cb.addEventListener("change", function () { self.applyFilters(); });
      this.kindBoxes[k] = cb;
      const swatch = h("span", {class: "lijnstaal lijn-" + EDGES[k].style, "aria-hidden": "true"});
      swatch.style.borderTopColor = EDGES[k].colour;
      filters.appendChild(h("label", {class: "keuze"}, cb, swatch, document.createTextNode(EDGES[k].label)));
    }
    this.dateInput = h("input", {type: "date", id: "netwerk-geldig-" + this.kern, class: "netwerk-datum"});
    this.dateInput.addEventListener("change", function () { self.applyFilters(); });
    filters.appendChild(h("label", {for: this.dateInput.id, class: "keuze", text: "Geldig op"}));
    filters.appendChild(this.dateInput);

    const legend = h("div", {class: "netwerk-legenda"}, h("h3", {text: "Legenda"}));
    const list = h("ul", {});
    for (const k in KINDS) {
      const mark = h("span", {class: "knoopstaal vorm-" + KINDS[k].shape, "aria-hidden": "true"});
      mark.style.backgroundColor = KINDS[k].colour;
      list.appendChild(h("li", {}, mark, document.createTextNode(KINDS[k].label)));
    }
    const rim = h("span", {class: "knoopstaal rand-bemiddelaar", "aria-hidden": "true"});
    list.appendChild(h("li", {}, rim, document.createTextNode("rode rand: bemiddelaar")));
    const pin = h("span", {class: "knoopstaal rand-vast", "aria-hidden": "true"});
    list.appendChild(h("li", {}, pin, document.createTextNode("dubbele rand: vastgezet")));
    legend.appendChild(list);
    legend.appendChild(h("p", {class: "zacht", text: "Lijnen: zie de kleuren bij “Relaties tonen”. Namen verschijnen " +
      "bij aanwijzen, selecteren of inzoomen."}));

    this.canvas = h("div", {class: "netwerk-canvas", role: "img",
                            "aria-label": "netwerkweergave; gebruik de lijst met knopen ernaast om met het " +
                                          "toetsenbord te navigeren"});
    this.list = h("ul", {class: "netwerk-knopen", "aria-label": "knopen in het netwerk"});
    const listBox = h("div", {class: "netwerk-lijst"}, h("h3", {text: "Knopen"}),
                      h("p", {class: "zacht", text: "Pijltjes om te kiezen, Enter om uit te klappen."}), this.list);
    this.info = h("div", {class: "netwerk-info", "aria-live": "polite"});
    this.status = h("p", {class: "netwerk-status zacht", "aria-live": "polite"});
    const body = h("div", {class: "netwerk-lichaam"}, this.canvas, listBox);
    box.replaceChildren(bar, filters, body, this.info, legend, this.status);
    if (zaak) {
      zaak.hidden = false;
      box.insertBefore(zaak, legend);
      zaak.querySelector(".netwerk-bewaar").addEventListener("click", function () { self.save(zaak); });
      zaak.querySelector(".netwerk-herstel").addEventListener("click", function () { self.restore(zaak); });
    }
    this.cy = window.cytoscape({container: this.canvas, style: nodeStyle(), wheelSensitivity: 0.3,
                                minZoom: 0.15, maxZoom: 4, boxSelectionEnabled: false});
    this.cy.on("mouseover", "node, edge", function (ev) { ev.target.addClass("toon"); });
    this.cy.on("mouseout", "node, edge", function (ev) { ev.target.removeClass("toon"); });
    this.cy.on("tap", "node", function (ev) { self.select(ev.target.id(), false); });
    this.cy.on("dbltap", "node", function (ev) { self.expand(ev.target.id()); });
    this.cy.on("dragfree", "node", function () { self.renderList(); });
    this.cy.on("zoom", function () { self.zoomLabels(); });
  };

  Chart.prototype.zoomLabels = function () {
    // Names only when there is room: on hover and selection always, for every node from this zoom level on.
    const high = this.cy.zoom() >= LABEL_ZOOM;
    if (high !== this.labelsHigh) { this.labelsHigh = high; this.cy.nodes().toggleClass("hoog", high); }
  };

  Chart.prototype.zoomBy = function (f) {
    const cy = this.cy;
    cy.zoom({level: cy.zoom() * f, renderedPosition: {x: cy.width() / 2, y: cy.height() / 2}});
  };

  Chart.prototype.merge = function (graph) {
    const added = [];
    for (const n of graph.nodes) {
      this.total.set(n.id, n.graad);
      const existing = this.cy.getElementById(n.id);
      if (existing.nonempty()) continue;
      const data = {id: n.id, label: n.label, kort: shortLabel(n), soort: KINDS[n.soort] ? n.soort : "persoon",
                    kern: n.id === this.kern, url: n.url, score: n.score, rol: n.rol};
      added.push({group: "nodes", data: data, classes: n.rol ? "rol-" + n.rol : ""});
    }
    for (const e of graph.edges) {
      if (this.cy.getElementById("e" + e.id).nonempty()) continue;
      const dates = (e.geldig_van ? " vanaf " + e.geldig_van : "") + (e.geldig_tot ? " tot " + e.geldig_tot : "");
      added.push({group: "edges", data: {id: "e" + e.id, source: e.van, target: e.naar, soort: e.soort,
                                         tekst: (EDGES[e.soort] ? EDGES[e.soort].label : e.label) + " · " +
                                                e.bron_label + dates,
                                         van: e.geldig_van, tot: e.geldig_tot}});
    }
    const els = this.cy.add(added);
    if (this.labelsHigh) els.nodes().addClass("hoog");
    return els;
  };

  Chart.prototype.shown = function (id) {
    return this.cy.getElementById(id).connectedEdges().length;
  };

  Chart.prototype.hidden = function (id) {
    return Math.max(0, (this.total.get(id) || 0) - this.shown(id));
  };

  Chart.prototype.applyFilters = function () {
    const day = this.dateInput.value;
    const off = new Set(Object.keys(this.kindBoxes).filter((k) => !this.kindBoxes[k].checked));
    this.cy.batch(() => {
      this.cy.edges().forEach(function (e) {
        const outside = day && ((e.data("van") && e.data("van") > day) || (e.data("tot") && e.data("tot") < day));
        e.toggleClass("verborgen", off.has(e.data("soort")) || Boolean(outside));
      });
      this.cy.nodes().forEach((n) => {
        const visible = n.connectedEdges().filter((e) => !e.hasClass("verborgen")).length;
        n.toggleClass("vaag", !n.data("kern") && visible === 0);
      });
    });
    this.renderStatus();
  };

  Chart.prototype.place = function (newNodes, around) {
    // Start new nodes on arcs on the far side of the node they came from (away from the rest of the chart);
    // fcose then refines only them.
    const c = around && around.nonempty() ? around.position() : {x: 0, y: 0};
    const old = this.cy.nodes().difference(newNodes);
    let mx = 0, my = 0;
    old.forEach(function (n) { mx += n.position("x"); my += n.position("y"); });
    mx /= Math.max(old.length, 1); my /= Math.max(old.length, 1);
    const dir = Math.hypot(c.x - mx, c.y - my) > 1 ? Math.atan2(c.y - my, c.x - mx) : 0;
    const perRing = 14;
    newNodes.forEach(function (n, i) {
      const ring = Math.floor(i / perRing), k = i % perRing;
      const inRing = Math.min(perRing, newNodes.length - ring * perRing);
      const spread = Math.min(Math.PI * 1.2, 0.35 * inRing);
      const a = dir - spread / 2 + (inRing > 1 ? spread * k / (inRing - 1) : spread / 2);
      const r = 110 + 70 * ring;
      n.position({x: c.x + r * Math.cos(a), y: c.y + r * Math.sin(a)});
    });
  };

  Chart.prototype.layout = function (opts) {
    const cy = this.cy;
    return new Promise(function (resolve) {
      const l = cy.layout(Object.assign({name: "fcose", animate: false, quality: "default", nodeRepulsion: 9000,
                                         idealEdgeLength: 90, nodeSeparation: 80, fit: false}, opts));
      l.one("layoutstop", resolve);
      l.run();
    });
  };

  Chart.prototype.layoutNew = async function (added, around) {
    const newNodes = added.nodes();
    if (!newNodes.length) return;
    const old = this.cy.nodes().difference(newNodes);
    this.place(newNodes, around);
    const fixed = old.map((n) => ({nodeId: n.id(), position: Object.assign({}, n.position())}));
    const locked = old.filter((n) => !n.locked());
    locked.lock();  // fixed twice over: the constraint shapes the forces, the lock guarantees no old node moves
    try {
      await this.layout({randomize: false, fixedNodeConstraint: fixed, packComponents: false});
    } finally {
      locked.unlock();
    }
  };

  Chart.prototype.relayout = async function () {
    const pinned = this.cy.nodes(".vast");
    const fixed = pinned.map((n) => ({nodeId: n.id(), position: Object.assign({}, n.position())}));
    await this.layout({randomize: !fixed.length, fixedNodeConstraint: fixed.length ? fixed : undefined});
    this.cy.fit(undefined, 30);
    this.renderList();
  };

  Chart.prototype.start = async function () {
    const graph = await getJSON(`/api/netwerk/${encodeURIComponent(this.kern)}?stappen=2`);
    this.merge(graph);
    await this.layout({randomize: true});
    this.cy.fit(undefined, 30);
    this.zoomLabels();
    this.select(this.kern, false);
  };

  Chart.prototype.expand = async function (id, keepFocus) {
    if (this.busy || id.startsWith("melding:")) return;
    const hidden = this.hidden(id);
    if (!hidden && this.pages.has(id)) { this.select(id, keepFocus); return; }
    this.busy = true;
    this.status.textContent = "Uitklappen…";
    try {
      let offset = this.pages.get(id) || 0;
      let added = this.cy.collection();
      do {  // a page may hold only edges already drawn (reached through another node): then take the next one
        const graph = await getJSON(`/api/netwerk/${encodeURIComponent(id)}?stappen=1&offset=${offset}` +
                                    `&limiet=${PAGE}`);
        added = added.union(this.merge(graph));
        offset = graph.volgende === null ? graph.totaal : graph.volgende;
        this.pages.set(id, offset);
        if (graph.volgende === null) break;
      } while (!added.length);
      await this.layoutNew(added, this.cy.getElementById(id));
      this.applyFilters();
      this.status.textContent = added.nodes().length + " knopen en " + added.edges().length +
                                " verbindingen toegevoegd.";
    } catch (e) {
      this.status.textContent = "Uitklappen lukte niet.";
    } finally {
      this.busy = false;
    }
    this.select(id, keepFocus);
  };

  Chart.prototype.select = function (id, keepFocus) {
    const n = this.cy.getElementById(id);
    if (n.empty()) return;
    this.cy.nodes().unselect();
    n.select();
    this.selected = id;
    this.renderInfo(n);
    this.renderList(keepFocus);
  };

  Chart.prototype.togglePin = function (id) {
    const n = this.cy.getElementById(id);
    if (n.hasClass("vast")) { n.removeClass("vast"); n.unlock(); } else { n.addClass("vast"); n.lock(); }
    this.renderInfo(n);
  };

  Chart.prototype.renderInfo = function (n) {
    const self = this;
    const id = n.id();
    const kind = KINDS[n.data("soort")] ? KINDS[n.data("soort")].label : n.data("soort");
    const parts = [h("strong", {text: n.data("label")}), document.createTextNode(" · " + kind +
      (n.data("rol") ? " · " + (ROLE_MARK[n.data("rol")] || n.data("rol")) : "") +
      (n.data("score") !== null && n.data("score") !== undefined
        ? (n.data("soort") === "adres" ? " · kans " + kans(n.data("score"))
          : " · score " + Number(n.data("score")).toFixed(3).replace(".", ",")) : ""))];
    const hidden = this.hidden(id);
    const total = this.total.get(id) || 0;
    parts.push(document.createTextNode(` · ${total - hidden} van ${total} verbindingen getoond`));
    const actions = h("span", {class: "netwerk-acties"});
    if (hidden && !id.startsWith("melding:")) {
      const more = h("button", {type: "button", class: "klein netwerk-meer",
                                text: this.pages.has(id) || n.data("kern") ? `toon meer (${hidden})`
                                                                            : `uitklappen (${hidden})`});
      more.addEventListener("click", function () { self.expand(id, false); });
      actions.appendChild(more);
    }
    const pin = h("button", {type: "button", class: "klein", "aria-pressed": n.hasClass("vast") ? "true" : "false",
                             text: n.hasClass("vast") ? "Losmaken" : "Vastzetten"});
    pin.addEventListener("click", function () { self.togglePin(id); });
    actions.appendChild(pin);
    if (n.data("url")) actions.appendChild(h("a", {href: n.data("url"), text: "open dossier"}));
    this.info.replaceChildren(...parts, actions);
    this.renderStatus();
  };

  Chart.prototype.renderStatus = function () {
    const shown = this.cy.edges().filter((e) => !e.hasClass("verborgen")).length;
    const extra = shown < this.cy.edges().length ? ` (${this.cy.edges().length - shown} weggefilterd)` : "";
    this.box.dataset.knopen = String(this.cy.nodes().length);
    this.status.dataset.telling = `${this.cy.nodes().length} knopen, ${shown} verbindingen zichtbaar${extra}`;
  };

  Chart.prototype.renderList = function (keepFocus) {
    const self = this;
    const items = this.cy.nodes().sort(function (a, b) {
      if (a.data("kern") !== b.data("kern")) return a.data("kern") ? -1 : 1;
      return a.data("label").localeCompare(b.data("label"), "nl");
    });
    const frag = document.createDocumentFragment();
    items.forEach(function (n) {
      const hidden = self.hidden(n.id());
      const kind = KINDS[n.data("soort")] ? KINDS[n.data("soort")].label : "";
      const b = h("button", {type: "button", class: "knoop-knop", "data-id": n.id(),
                             "aria-current": n.id() === self.selected ? "true" : null,
                             tabindex: n.id() === self.selected ? "0" : "-1",
                             text: `${n.data("label")} — ${kind}${hidden ? ` (+${hidden})` : ""}`});
      b.addEventListener("click", function () { self.select(n.id(), false); });
      b.addEventListener("keydown", function (ev) { self.onKey(ev, n.id()); });
      frag.appendChild(h("li", {}, b));
    });
    this.list.replaceChildren(frag);
    if (keepFocus) {
      const again = this.list.querySelector(`[data-id="${CSS.escape(this.selected)}"]`);
      if (again) again.focus();
    }
    this.renderStatus();
  };

  Chart.prototype.onKey = function (ev, id) {
    const buttons = Array.from(this.list.querySelectorAll(".knoop-knop"));
    const i = buttons.findIndex((b) => b.dataset.id === id);
    let next = null;
    if (ev.key === "ArrowDown") next = buttons[Math.min(i + 1, buttons.length - 1)];
    else if (ev.key === "ArrowUp") next = buttons[Math.max(i - 1, 0)];
    else if (ev.key === "Home") next = buttons[0];
    else if (ev.key === "End") next = buttons[buttons.length - 1];
    else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      this.expand(id, true);
      return;
    } else return;
    ev.preventDefault();
    if (next) {
      this.select(next.dataset.id, true);
      this.cy.animate({center: {eles: this.cy.getElementById(next.dataset.id)}}, {duration: 150});
    }
  };

  Chart.prototype.download = function (href, name) {
    const a = h("a", {href: href, download: name});
    document.body.appendChild(a);
    a.click();
    a.remove();
  };

  Chart.prototype.exportPng = function () {
    this.download(this.cy.png({full: true, scale: 2, bg: "#ffffff"}), `netwerk-${this.kern}.png`);
  };

  Chart.prototype.svg = function () {
    // A plain SVG of what is visible: lines, shapes and the short labels (cytoscape-svg is GPL, so our own).
    const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);
    const nodes = this.cy.nodes().filter((n) => n.visible());
    const bb = nodes.boundingBox({includeLabels: true});
    const pad = 20, w = Math.ceil(bb.w + 2 * pad), hgt = Math.ceil(bb.h + 2 * pad);
    const X = (x) => (x - bb.x1 + pad).toFixed(1), Y = (y) => (y - bb.y1 + pad).toFixed(1);
    const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${hgt}" viewBox="0 0 ${w} ${hgt}" ` +
                 `font-family="sans-serif"><rect width="100%" height="100%" fill="#ffffff"/>`];
    this.cy.edges().filter((e) => e.visible()).forEach(function (e) {
      const s = e.source().position(), t = e.target().position(), k = EDGES[e.data("soort")] || {colour: "#999"};
      const dash = k.style === "dashed" ? ' stroke-dasharray="6 4"' : k.style === "dotted" ? ' stroke-dasharray="2 3"' : "";
      out.push(`<line x1="${X(s.x)}" y1="${Y(s.y)}" x2="${X(t.x)}" y2="${Y(t.y)}" stroke="${k.colour}" ` +
               `stroke-width="1.6"${dash}><title>${esc(e.data("tekst"))}</title></line>`);
    });
    nodes.forEach(function (n) {
      const p = n.position(), k = KINDS[n.data("soort")] || {colour: "#777", shape: "ellipse"};
      const r = n.data("kern") ? 17 : 11, x = +X(p.x), y = +Y(p.y);
      const stroke = n.hasClass("rol-bemiddelaar") ? "#b3261e" : "#222";
      let shape;
      if (k.shape === "round-rectangle") shape = `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${2 * r}" rx="3"`;
      else if (k.shape === "triangle") shape = `<polygon points="${x},${y - r} ${x + r},${y + r} ${x - r},${y + r}"`;
      else if (k.shape === "hexagon") {
        const pts = [0, 1, 2, 3, 4, 5].map((i) => `${(x + r * Math.cos(Math.PI / 3 * i)).toFixed(1)},` +
                                                  `${(y + r * Math.sin(Math.PI / 3 * i)).toFixed(1)}`);
        shape = `<polygon points="${pts.join(" ")}"`;
      } else shape = `<circle cx="${x}" cy="${y}" r="${r}"`;
      out.push(`${shape} fill="${k.colour}" stroke="${stroke}" stroke-width="1.5"><title>${esc(n.data("label"))}</title>` +
               `</${shape.slice(1, shape.indexOf(" "))}>`);
      out.push(`<text x="${x}" y="${y + r + 12}" font-size="10" text-anchor="middle">${esc(n.data("kort"))}</text>`);
    });
    out.push("</svg>");
    return out.join("\n");
  };

  Chart.prototype.exportSvg = function () {
    const url = URL.createObjectURL(new Blob([this.svg()], {type: "image/svg+xml"}));
    this.download(url, `netwerk-${this.kern}.svg`);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  };

  Chart.prototype.state = function () {
    const pos = {};
    this.cy.nodes().forEach(function (n) { pos[n.id()] = [Math.round(n.position().x), Math.round(n.position().y)]; });
    const uit = {};
    this.pages.forEach(function (v, k) { uit[k] = v; });
    return {kern: this.kern, posities: pos, vast: this.cy.nodes(".vast").map((n) => n.id()),
            selectie: this.selected ? [this.selected] : [], uitgeklapt: uit,
            filters: {uit: Object.keys(this.kindBoxes).filter((k) => !this.kindBoxes[k].checked),
                      geldig_op: this.dateInput.value || null}};
  };

  Chart.prototype.save = async function (zaak) {
    const select = zaak.querySelector("select");
    const body = new URLSearchParams({csrf: zaak.querySelector("input[name=csrf]").value,
                                      opname: JSON.stringify(this.state())});
    const res = await fetch(`/api/zaken/${encodeURIComponent(select.value)}/netwerk`,
                            {method: "POST", body: body, credentials: "same-origin",
                             headers: {Accept: "application/json"}});
    this.status.textContent = res.ok ? "Netwerkweergave bewaard in de zaak." : "Bewaren lukte niet.";
  };

  Chart.prototype.restore = async function (zaak) {
    const select = zaak.querySelector("select");
    try {
      const saved = await getJSON(`/api/zaken/${encodeURIComponent(select.value)}/netwerk`);
      const snap = saved.find((s) => s.kern === this.kern) || saved[0];
      if (!snap) { this.status.textContent = "In deze zaak is nog geen netwerkweergave bewaard."; return; }
      const st = snap.opname;
      this.cy.elements().remove();
      this.pages.clear();
      this.merge(await getJSON(`/api/netwerk/${encodeURIComponent(this.kern)}?stappen=2`));
      for (const id in st.uitgeklapt) {  // the same pages again, through the audited API
        let offset = 0;
        while (offset < st.uitgeklapt[id]) {
          const g = await getJSON(`/api/netwerk/${encodeURIComponent(id)}?stappen=1&offset=${offset}&limiet=${PAGE}`);
          this.merge(g);
          offset = g.volgende === null ? g.totaal : g.volgende;
          if (g.volgende === null) break;
        }
        this.pages.set(id, offset);
      }
      const missing = this.cy.nodes().filter((n) => !st.posities[n.id()]);
      this.cy.nodes().forEach(function (n) {
        const p = st.posities[n.id()];
        if (p) n.position({x: p[0], y: p[1]});
      });
      if (missing.length) await this.layoutNew(missing, this.cy.getElementById(this.kern));
      for (const id of st.vast) { const n = this.cy.getElementById(id); if (n.nonempty()) { n.addClass("vast"); n.lock(); } }
      for (const k in this.kindBoxes) this.kindBoxes[k].checked = !(st.filters.uit || []).includes(k);
      this.dateInput.value = st.filters.geldig_op || "";
      this.applyFilters();
      this.cy.fit(undefined, 30);
      this.select(st.selectie[0] || this.kern, false);
      this.status.textContent = "Bewaarde netwerkweergave geopend.";
    } catch (e) {
      this.status.textContent = "Openen lukte niet.";
    }
  };

  function init() {
    for (const box of document.querySelectorAll(".netwerk-vak")) {
      const button = box.querySelector(".netwerk-open");
      if (!button) continue;
      button.addEventListener("click", async function () {
        button.disabled = true;
        button.textContent = "Netwerk laden…";
        try {
          await loadLibs();
          const chart = new Chart(box);
          box.pandzichtChart = chart;
          window.pandzichtNetwerk = chart;  // for the browser tests and the console
          await chart.start();
        } catch (e) {
          box.textContent = "Het netwerk kon niet worden geladen.";
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", init);
})();
