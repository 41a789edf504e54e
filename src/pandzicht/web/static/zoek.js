// pandzicht: the header search as an ARIA combobox (type, arrow keys, Enter). Without JS the form opens /zoek.
"use strict";

(function () {
  const input = document.getElementById("zoek-kop");
  const list = document.getElementById("zoek-keuzes");
  if (!input || !list) return;
  let timer = null, active = -1, seq = 0;

  function items() { return Array.from(list.querySelectorAll("li")); }

  function close() {
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function mark(i) {
    const all = items();
    all.forEach((li, k) => li.setAttribute("aria-selected", k === i ? "true" : "false"));
    active = i;
    if (i >= 0 && all[i]) input.setAttribute("aria-activedescendant", all[i].id);
    else input.removeAttribute("aria-activedescendant");
  }

  async function lookup() {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) { close(); list.removeAttribute("data-q"); return; }
    input.setAttribute("aria-busy", "true");
    let hits = [];
    try {
      const res = await fetch("/api/zoek?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}});
      if (!res.ok) { if (mine === seq) input.removeAttribute("aria-busy"); return; }
      hits = await res.json();
    } catch (e) { if (mine === seq) input.removeAttribute("aria-busy"); return; }
    if (mine !== seq) return;  // a newer query is under way
    input.removeAttribute("aria-busy");
    list.dataset.q = q;  // which query the list answers: a list shown while typing on may be of a shorter one
    list.replaceChildren();
    hits.forEach((h, k) => {
      const li = document.createElement("li");
      li.id = "zoek-keuze-" + k;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      const soort = document.createElement("span");
      soort.className = "soort soort-" + h.soort;
      soort.textContent = h.soort;
      const a = document.createElement("a");
      a.href = h.url;
      a.tabIndex = -1;
      a.textContent = h.label;
      li.append(soort, " ", a);
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); window.location.href = h.url; });
      list.append(li);
    });
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
    active = -1;
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lookup, 200); });
  input.addEventListener("keydown", (ev) => {
    const all = items();
    if (ev.key === "ArrowDown" && all.length) { ev.preventDefault(); mark((active + 1) % all.length); }
    else if (ev.key === "ArrowUp" && all.length) { ev.preventDefault(); mark((active - 1 + all.length) % all.length); }
    else if (ev.key === "Escape") { close(); }
    else if (ev.key === "Enter" && active >= 0 && all[active]) {
      ev.preventDefault();
      window.location.href = all[active].querySelector("a").href;
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();
