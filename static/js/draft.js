// Drafts of the new-entry form: while the user types, what the form holds is sent to the server
// every few seconds, and once more when the page is hidden or closed, so a sign-in that ends
// mid-sentence loses nothing. Nothing is kept in the browser's storage: someone else may look at
// this phone. The next visit to the form shows the draft (incidents/draft_views.py).
(function () {
  "use strict";
  var EVERY_MS = 4000;

  function start(form) {
    var url = form.getAttribute("data-draft-url");
    var status = form.querySelector("[data-draft-status]");
    var dirty = false;
    var sending = null;
    var submitted = false;

    function body() {
      var data = new FormData(form);
      // Files are never part of a draft; they wait with the entry itself.
      Array.from(data.keys()).forEach(function (key) {
        data.getAll(key).forEach(function (value) {
          if (value instanceof File) data.delete(key);
        });
      });
      return data;
    }

    function show(text) {
      if (status && text !== undefined) status.textContent = text;
    }

    function send(lastChance) {
      if (!dirty || submitted) return;
      dirty = false;
      if (sending) sending.abort();
      sending = new AbortController();
      window.fetch(url, {
        method: "POST", body: body(), credentials: "same-origin", cache: "no-store",
        keepalive: lastChance, signal: sending.signal,
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) throw new Error("not kept");
        return response.json();
      }).then(function (answer) {
        show(answer.message);
      }).catch(function (error) {
        if (error && error.name === "AbortError") return;
        dirty = true;
        show(status && status.getAttribute("data-failed"));
      });
    }

    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () {
      submitted = true;
      if (sending) sending.abort();
    });
    // Discarding asks first, and once it is on its way nothing may bring the draft back.
    var discard = document.querySelector("form[data-draft-discard]");
    if (discard) discard.addEventListener("submit", function (event) {
      if (!window.confirm(discard.getAttribute("data-draft-discard"))) {
        event.preventDefault();
        return;
      }
      submitted = true;
      if (sending) sending.abort();
    });
    // Back after a save that did not go through brings this page back as it was: keep going.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) submitted = false;
    });
    window.setInterval(function () { send(false); }, EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") send(true);
    });
    window.addEventListener("pagehide", function () { send(true); });
  }

  function init() {
    if (!window.fetch || !window.FormData || !window.AbortController) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-url]"), start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
