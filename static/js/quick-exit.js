// Quick exit: leave for a neutral site at once, replacing this page in the history so that
// the Back button does not return here. Esc pressed three times within two seconds does the same.
(function () {
  "use strict";
  var link = document.querySelector("[data-quick-exit]");
  if (!link) return;

  function leave(event) {
    if (event) event.preventDefault();
    document.title = "";
    document.body.hidden = true;
    window.location.replace(link.href);
  }

  link.addEventListener("click", leave);

  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 2000; });
    presses.push(now);
    if (presses.length >= 3) leave();
  });
})();
