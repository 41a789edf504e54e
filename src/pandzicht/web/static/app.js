// pandzicht: small progressive enhancements, no libraries. Pages work without this script.
"use strict";

(function () {
  function debounce(fn, ms) {
    let t = null;
    return function (...args) { clearTimeout(t); t = setTimeout(() => fn.apply(this, args), ms); };
  }

  // --- Meldpunt: address autocomplete against BAG -------------------------------------------------
  function initAutocomplete() {
    const input = document.getElementById("adres_tekst");
    const hidden = document.getElementById("verblijfsobject_id");
    const list = document.getElementById("adres-keuzes");
    if (!input || !hidden || !list) return;
    let chosen = input.value;
    const search = debounce(async function () {
      const q = input.value.trim();
      if (input.value !== chosen) hidden.value = "";
      list.replaceChildren();
      if (q.length < 3 || q.length > 60) return;
      try {
        const res = await fetch("/api/adressen/zoek?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}});
        if (!res.ok) return;
        const hits = await res.json();
        for (const h of hits) {
          const li = document.createElement("li");
          const b = document.createElement("button");
          b.type = "button";
          b.className = "keuze-adres";
          b.textContent = h.adres;
          b.addEventListener("click", function () {
            input.value = h.adres;
            chosen = h.adres;
            hidden.value = h.verblijfsobject_id;
            list.replaceChildren();
          });
          li.appendChild(b);
          list.appendChild(li);
        }
      } catch (e) { /* offline or server busy: the form still works with free text */ }
    }, 200);
    input.addEventListener("input", search);
  }

  // --- Print button on reports ----------------------------------------------------------------------
  function initPrint() {
    for (const a of document.querySelectorAll(".afdrukken")) {
      a.addEventListener("click", function (ev) { ev.preventDefault(); window.print(); });
    }
  }

  // --- Network view: force layout in SVG, expand on click ----------------------------------------------
  const SVGNS = "http://www.w3.org/2000/svg";
  const COLOURS = {adres: "#d94801", persoon: "#1f5fa8", bedrijf: "#6a3d9a", melding: "#33a02c"};

  function el(name, attrs, text) {
    const e = document.createElementNS(SVGNS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function angleOf(id) {
    let h = 2166136261;
    for (let i = 0; i < id.length; i++) { h ^= id.charCodeAt(i); h = Math.imul(h, 16777619); }
    return ((h >>> 0) % 3600) / 3600 * 2 * Math.PI;
  }

  function Network(box) {
    this.box = box;
    this.nodes = new Map();
    this.edges = new Map();
    this.expanded = new Set();
    this.width = 900; this.height = 560;
    this.svg = el("svg", {viewBox: `0 0 ${this.width} ${this.height}`, class: "netwerk-svg", role: "img",
                          "aria-label": "netwerk van partijen en adressen"});
    this.info = document.createElement("p");
    this.info.className = "netwerk-info";
    box.replaceChildren(this.svg, this.info);
  }

  Network.prototype.merge = function (graph, around) {
    const c = around || {x: this.width / 2, y: this.height / 2};
    for (const n of graph.nodes) {
      if (!this.nodes.has(n.id)) {
        const a = angleOf(n.id);  // deterministic: the same graph is laid out the same way every time
        n.x = c.x + Math.cos(a) * 60; n.y = c.y + Math.sin(a) * 60;
        if (n.kern && this.nodes.size === 0) { n.x = this.width / 2; n.y = this.height / 2; }
        this.nodes.set(n.id, n);
      } else if (n.kern) {
        this.nodes.get(n.id).kern = this.nodes.get(n.id).kern || this.nodes.size === 1;
      }
    }
    for (const e of graph.edges) {
      this.edges.set(e.van + "|" + e.naar + "|" + e.soort + "|" + (e.geldig_van || ""), e);
    }
  };

  Network.prototype.layout = function (steps) {
    const nodes = Array.from(this.nodes.values());
    const edges = Array.from(this.edges.values());
    const W = this.width, H = this.height, k = Math.sqrt((W * H) / Math.max(nodes.length, 1)) * 0.42;
    for (let s = 0; s < steps; s++) {
      const t = 12 * (1 - s / steps) + 0.5;
      for (const n of nodes) { n.dx = 0; n.dy = 0; }
      for (let i = 0; i < nodes.length; i++) {
        for (let j = i + 1; j < nodes.length; j++) {
          const a = nodes[i], b = nodes[j];
          let dx = a.x - b.x, dy = a.y - b.y;
          let d = Math.sqrt(dx * dx + dy * dy) || 0.01;
          const f = (k * k) / d;
          dx /= d; dy /= d;
          a.dx += dx * f; a.dy += dy * f; b.dx -= dx * f; b.dy -= dy * f;
        }
      }
      for (const e of edges) {
        const a = this.nodes.get(e.van), b = this.nodes.get(e.naar);
        if (!a || !b) continue;
        let dx = a.x - b.x, dy = a.y - b.y;
        const d = Math.sqrt(dx * dx + dy * dy) || 0.01;
        const f = (d * d) / k;
        dx /= d; dy /= d;
        a.dx -= dx * f; a.dy -= dy * f; b.dx += dx * f; b.dy += dy * f;
      }
      for (const n of nodes) {
        n.dx += (W / 2 - n.x) * 0.05; n.dy += (H / 2 - n.y) * 0.05;
        const d = Math.sqrt(n.dx * n.dx + n.dy * n.dy) || 0.01;
        n.x += (n.dx / d) * Math.min(d, t); n.y += (n.dy / d) * Math.min(d, t);
        n.x = Math.max(30, Math.min(W - 30, n.x)); n.y = Math.max(20, Math.min(H - 20, n.y));
      }
    }
  };

  Network.prototype.draw = function () {
    const svg = this.svg;
    svg.replaceChildren();
    const gEdges = el("g", {class: "randen"}), gNodes = el("g", {class: "knopen"});
    for (const e of this.edges.values()) {
      const a = this.nodes.get(e.van), b = this.nodes.get(e.naar);
      if (!a || !b) continue;
      const line = el("line", {x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#999", "stroke-width": 1.2});
      line.appendChild(el("title", {}, `${a.label} ${e.label} ${b.label} (bron: ${e.bron_label}` +
        `${e.geldig_van ? ", vanaf " + e.geldig_van : ""}${e.geldig_tot ? " tot " + e.geldig_tot : ""})`));
      gEdges.appendChild(line);
      const busy = this.edges.size > 25 && !(a.kern || b.kern || this.expanded.has(a.id) && this.expanded.has(b.id));
      if (busy) continue;  // label only what is readable; every edge keeps its tooltip
      const lbl = el("text", {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 2, class: "randlabel", "font-size": 8,
                              "text-anchor": "middle", fill: "#555"}, `${e.label} · ${e.bron_label}`);
      gEdges.appendChild(lbl);
    }
    for (const n of this.nodes.values()) {
      const g = el("g", {class: "knoop", tabindex: 0, "data-id": n.id, transform: `translate(${n.x},${n.y})`});
      const r = n.kern ? 11 : (this.expanded.has(n.id) ? 8 : 6);
      const shape = n.soort === "adres"
        ? el("rect", {x: -r, y: -r, width: 2 * r, height: 2 * r, fill: COLOURS.adres, stroke: "#222"})
        : el("circle", {r: r, fill: COLOURS[n.soort] || "#777", stroke: "#222"});
      g.appendChild(shape);
      g.appendChild(el("title", {}, n.label + (n.score != null ? ` (score ${n.score.toFixed(3)})` : "")));
      const short = n.label.length > 32 ? n.label.slice(0, 31) + "…" : n.label;
      g.appendChild(el("text", {x: r + 3, y: 4, "font-size": 10}, short + (n.meer ? ` (+${n.meer})` : "")));
      const self = this;
      g.addEventListener("click", function () { self.expand(n.id); });
      g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") self.expand(n.id); });
      g.addEventListener("dblclick", function () { if (n.url) window.location.href = n.url; });
      gNodes.appendChild(g);
    }
    svg.appendChild(gEdges);
    svg.appendChild(gNodes);
  };

  Network.prototype.showInfo = function (n) {
    this.info.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = n.label;
    this.info.appendChild(strong);
    if (n.url) {
      this.info.appendChild(document.createTextNode(" · "));
      const a = document.createElement("a");
      a.href = n.url; a.textContent = "open dossier";
      this.info.appendChild(a);
    }
    this.info.appendChild(document.createTextNode(` · ${this.nodes.size} knopen, ${this.edges.size} verbindingen`));
  };

  Network.prototype.load = async function (id, hops) {
    const res = await fetch(`/api/netwerk/${encodeURIComponent(id)}?stappen=${hops}`, {headers: {Accept: "application/json"}});
    if (!res.ok) throw new Error("netwerk " + res.status);
    return res.json();
  };

  Network.prototype.expand = async function (id) {
    const n = this.nodes.get(id);
    if (n) this.showInfo(n);
    if ((this.expanded.has(id) && !(n && n.meer)) || id.startsWith("melding:")) return;
    try {
      const graph = await this.load(id, 1);
      this.expanded.add(id);
      this.merge(graph, n);
      for (const m of graph.nodes) { if (m.id === id && this.nodes.has(id)) this.nodes.get(id).meer = m.meer; }
      this.layout(120);
      this.draw();
      if (n) this.showInfo(n);
    } catch (e) { this.info.textContent = "Uitklappen lukte niet."; }
  };

  function initNetwork() {
    for (const box of document.querySelectorAll(".netwerk-vak")) {
      const button = box.querySelector(".netwerk-start");
      if (!button) continue;
      button.addEventListener("click", async function () {
        button.disabled = true;
        button.textContent = "Netwerk laden…";
        const net = new Network(box);
        try {
          const graph = await net.load(box.dataset.knoop, box.dataset.stappen || 2);
          net.merge(graph);
          net.expanded.add(box.dataset.knoop);
          net.layout(300);
          net.draw();
          net.showInfo(net.nodes.get(box.dataset.knoop) || {label: ""});
        } catch (e) {
          box.textContent = "Het netwerk kon niet worden geladen.";
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initAutocomplete();
    initPrint();
    initNetwork();
  });
})();
