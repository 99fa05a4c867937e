// A share link carries its code after the "#", which the browser never sends to a server.
// Post it (not part of any address, so never in a log) and take it out of the address bar.
(function () {
  "use strict";
  var form = document.querySelector("[data-share-open]");
  var code = window.location.hash.slice(1);
  if (!form || !code) return;
  history.replaceState(null, "", window.location.pathname);
  form.elements.token.value = code;
  form.querySelector("[data-share-waiting]").hidden = false;
  form.submit();
})();
