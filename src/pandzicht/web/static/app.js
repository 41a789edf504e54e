// pandzicht: small progressive enhancements, no libraries (the link chart is netwerk.js). Pages work without it.
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

  document.addEventListener("DOMContentLoaded", function () {
    initAutocomplete();
    initPrint();
  });
})();
