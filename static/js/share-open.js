// A share link carries its code after the "#", which the browser never sends to a server.
// Post it (not part of any address, so never in a log) and take it out of the address bar.
// A link pasted into the address bar while this page is open only changes the "#" part.
(function () {
  "use strict";
  var form = document.querySelector("[data-share-open]");
  if (!form) return;
  function open() {
    var code = window.location.hash.slice(1);
    if (!code) return;
    history.replaceState(null, "", window.location.pathname);
    form.elements.token.value = code;
    form.querySelector("[data-share-waiting]").hidden = false;
    form.submit();
  }
  window.addEventListener("hashchange", open);
  open();
})();
