// Time-zone lists (setup and account pages): a search box above the select that hides the zones
// that do not match, and on the setup form a first guess from this browser's own clock settings.
// Nothing is sent anywhere; without this script the plain select still works.
(function () {
  "use strict";

  function normalise(text) {
    return text.toLowerCase().replace(/[_/]/g, " ");
  }

  function addSearch(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "_search";
    box.className = "time-zone-search";
    box.setAttribute("autocomplete", "off");
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.className = "time-zone-search-label";
    label.textContent = select.getAttribute("data-search-label");
    var none = document.createElement("p");
    none.className = "hint";
    none.hidden = true;
    none.setAttribute("role", "status");
    none.textContent = select.getAttribute("data-none");
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(none, select.nextSibling);
    box.addEventListener("input", function () { filter(select, box.value, none); });
  }

  function filter(select, query, none) {
    var words = normalise(query).split(/\s+/).filter(Boolean);
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var text = normalise(option.value + " " + option.text);
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      option.hidden = !match;
      if (match && first === null) first = option;
    });
    none.hidden = first !== null;
    // The chosen zone follows the search only when the current one is hidden: a search never
    // silently replaces a choice that still matches.
    if (first && select.selectedOptions[0] && select.selectedOptions[0].hidden) select.value = first.value;
    select.size = Math.min(8, Math.max(2, select.querySelectorAll("option:not([hidden])").length));
    if (!query) select.removeAttribute("size");
  }

  function guess(select) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || zone === select.value) return;
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!known) return;
    select.value = zone;
    var note = document.createElement("p");
    note.className = "hint time-zone-guess";
    note.textContent = select.getAttribute("data-guessed").replace("{zone}", zone.replace(/_/g, " "));
    select.parentNode.insertBefore(note, select.nextSibling);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-time-zone]"), function (select) {
      addSearch(select);
      if (select.form && select.form.hasAttribute("data-guess-time-zone")) guess(select);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
