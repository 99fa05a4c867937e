// A running count under each text field with a length limit ("1,234 of 20,000 characters"),
// marked when the text is too long. The form itself refuses a longer text and keeps it on the
// page; without this script the limit is still written under the field.
(function () {
  "use strict";
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function update(counter, field) {
    var limit = Number(counter.getAttribute("data-limit"));
    var count = field.value.length;
    var over = count > limit;
    var text = counter.getAttribute(over ? "data-over" : "data-text");
    counter.textContent = text
      .replace("{count}", format.format(count))
      .replace("{over}", format.format(count - limit));
    counter.classList.toggle("char-count-over", over);
  }

  function start() {
    var counters = document.querySelectorAll("[data-count-for]");
    Array.prototype.forEach.call(counters, function (counter) {
      var field = document.getElementById(counter.getAttribute("data-count-for"));
      if (!field) return;
      update(counter, field);
      field.addEventListener("input", function () { update(counter, field); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
