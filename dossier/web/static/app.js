// Dossier: the few things the pages do in the browser. Everything works without it except the toggles.
(function () {
  "use strict";

  function setupToggles() {
    var text = document.getElementById("doctext");
    if (!text) return;
    var boxes = document.querySelectorAll("input[data-toggle]");
    boxes.forEach(function (box) {
      var cls = box.getAttribute("data-toggle");
      var on = box.getAttribute("data-on") === "1"; // checked adds the class (else: unchecked adds it)
      var apply = function () { text.classList.toggle(cls, on ? box.checked : !box.checked); };
      box.addEventListener("change", apply);
      apply();
    });
  }

  function showCited() {
    // A link to #c-START-END without ?hl=: ask the server to highlight that span.
    var m = /^#c-(\d+)-(\d+)$/.exec(window.location.hash);
    if (!m || !document.getElementById("doctext")) return;
    var el = document.getElementById("c-" + m[1] + "-" + m[2]);
    if (!el) {
      var url = new URL(window.location.href);
      if (url.searchParams.get("hl") !== m[1] + "-" + m[2]) {
        url.searchParams.set("hl", m[1] + "-" + m[2]);
        window.location.replace(url.toString());
      }
      return;
    }
    el.scrollIntoView({block: "center"});
    el.classList.add("flash");
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupToggles();
    showCited();
  });
  window.addEventListener("hashchange", showCited);
})();
