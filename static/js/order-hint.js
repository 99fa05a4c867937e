// With a court order in force, the incident form says when the kind of incident or the place
// given plainly matches the order's terms. It only shows a hint; it never ticks the box. The
// test is the one incidents/orders.py makes on the server, from the kinds and words it put on
// the page; without this script the hint appears once the form is saved or shown again.
(function () {
  "use strict";
  var box = document.querySelector("[data-order-box]");
  if (!box) return;
  var form = box.closest("form");
  var noise = box.getAttribute("data-noise").split(" ");
  var shortest = parseInt(box.getAttribute("data-shortest"), 10);

  function placeWords(text) {
    var words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || [];
    return words.filter(function (word) {
      return word.length >= shortest && noise.indexOf(word) < 0 && !/^\d+$/.test(word);
    });
  }

  function update() {
    var kindField = form.querySelector("[name=kind]:checked") || form.querySelector("select[name=kind]");
    var locationField = form.querySelector("[name=location]");
    var kind = kindField ? kindField.value : "";
    var words = placeWords(locationField ? locationField.value : "");
    box.querySelectorAll("[data-kinds]").forEach(function (terms) {
      var kinds = terms.getAttribute("data-kinds").split(" ");
      var named = terms.getAttribute("data-words").split(" ");
      terms.querySelector("[data-hint=kind]").hidden = !kind || kinds.indexOf(kind) < 0;
      terms.querySelector("[data-hint=place]").hidden = !words.some(function (word) {
        return named.indexOf(word) >= 0;
      });
    });
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();
