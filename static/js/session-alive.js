// A sign-in ends after SESSION_IDLE_MINUTES without a page being opened. Someone writing a
// long entry opens no page while typing, so while they type this tells the server, at most
// every few minutes, that the sign-in is in use. A device left alone is still signed out.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-alive-url");
  if (!url || !window.fetch) return;
  var EVERY_MS = 5 * 60 * 1000;
  var last = Date.now();
  document.addEventListener("input", function () {
    var now = Date.now();
    if (now - last < EVERY_MS) return;
    last = now;
    window.fetch(url, { credentials: "same-origin", cache: "no-store" }).catch(function () {});
  });
})();
