// pandzicht: small progressive enhancements, no libraries (the link chart is netwerk.js). Pages work without it.
"use strict";

(function () {
  function debounce(fn, ms) {
    let t = null;
    return function (...args) { clearTimeout(t); t = setTimeout(() => fn.apply(this, args), ms); };
  }

  // --- Meldpunt: address autocomplete against BAG, as the ARIA 1.2 combobox pattern -----------------
  // The input is the combobox; the list is a listbox of options; arrow keys move the active option
  // (aria-activedescendant, focus stays in the input), Enter chooses it, Escape closes the list.
  function initAutocomplete() {
    const input = document.getElementById("adres_tekst");
    const hidden = document.getElementById("verblijfsobject_id");
    const list = document.getElementById("adres-keuzes");
    const status = document.getElementById("adres-status");
    if (!input || !hidden || !list) return;
    let chosen = input.value, active = -1, seq = 0;

    function options() { return Array.from(list.querySelectorAll("[role=option]")); }
    function close() {
      list.replaceChildren();
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      const all = options();
      all.forEach((o, k) => o.setAttribute("aria-selected", k === i ? "true" : "false"));
      active = i;
      if (i >= 0 && all[i]) {
        input.setAttribute("aria-activedescendant", all[i].id);
        all[i].scrollIntoView({block: "nearest"});
      } else input.removeAttribute("aria-activedescendant");
    }
    function choose(o) {
      input.value = o.textContent;
      chosen = o.textContent;
      hidden.value = o.dataset.vbo;
      close();
      if (status) status.textContent = "Adres gekozen: " + chosen;
    }
    const search = debounce(async function () {
      const q = input.value.trim();
      const mine = ++seq;
      if (q.length < 3 || q.length > 60) { close(); return; }
      let hits = [];
      try {
        const res = await fetch("/api/adressen/zoek?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}});
        if (!res.ok) return;
        hits = await res.json();
      } catch (e) { return; /* offline or server busy: the form still works with free text */ }
      if (mine !== seq) return;  // a newer query is under way
      close();
      hits.forEach((h, k) => {
        const li = document.createElement("li");
        li.id = "adres-keuze-" + k;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.vbo = h.verblijfsobject_id;
        li.textContent = h.adres;
        li.addEventListener("mousedown", ev => ev.preventDefault());  // keep focus in the input
        li.addEventListener("click", () => choose(li));
        list.appendChild(li);
      });
      if (hits.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      if (status) status.textContent = hits.length ? hits.length + " adressen gevonden; kies met de pijltjestoetsen en Enter" : "Geen adres gevonden";
    }, 200);
    input.addEventListener("input", function () {
      if (input.value !== chosen) hidden.value = "";
      search();
    });
    input.addEventListener("keydown", function (ev) {
      const all = options();
      if (ev.key === "ArrowDown") {
        if (!all.length) { search(); return; }
        ev.preventDefault();
        mark(active < all.length - 1 ? active + 1 : 0);
      } else if (ev.key === "ArrowUp") {
        if (!all.length) return;
        ev.preventDefault();
        mark(active > 0 ? active - 1 : all.length - 1);
      } else if (ev.key === "Enter") {
        if (active >= 0 && all[active]) { ev.preventDefault(); choose(all[active]); }
      } else if (ev.key === "Escape") {
        if (all.length) { ev.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  // --- Meldpunt: the error summary takes focus, so a screen reader reads every problem at once -----
  function initErrorSummary() {
    const box = document.getElementById("foutoverzicht");
    if (box) box.focus();
  }

  // --- Print button on reports ----------------------------------------------------------------------
  function initPrint() {
    for (const a of document.querySelectorAll(".afdrukken")) {
      a.addEventListener("click", function (ev) { ev.preventDefault(); window.print(); });
    }
  }

  // --- Overview: sort the address rows of this page by a column (rank, score, wijk, vermoeden) -------
  // The buttons sit in the column headers; aria-sort tells a screen reader the current order.
  function initSortableRows() {
    for (const table of document.querySelectorAll("table.compact-rijen")) {
      const body = table.tBodies[0];
      for (const btn of table.querySelectorAll("button.sorteer")) {
        btn.addEventListener("click", function () {
          const key = btn.dataset.sorteer, th = btn.closest("th");
          const numeric = key === "rang" || key === "score";
          // score sorts high first by default, the others low (or A) first; a second click reverses
          const first = key === "score" ? "descending" : "ascending";
          const dir = th.getAttribute("aria-sort") === first ? (first === "ascending" ? "descending" : "ascending") : first;
          for (const other of table.querySelectorAll("th[aria-sort]")) other.removeAttribute("aria-sort");
          th.setAttribute("aria-sort", dir);
          const rows = Array.from(body.rows).filter(r => r.dataset[key] !== undefined);
          rows.sort(function (a, b) {
            const x = a.dataset[key], y = b.dataset[key];
            const c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "nl");
            return dir === "ascending" ? c : -c;
          });
          rows.forEach(r => body.appendChild(r));
        });
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initSortableRows();
    initAutocomplete();
    initErrorSummary();
    initPrint();
  });
})();
