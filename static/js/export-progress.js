// The progress page of a dossier or evidence package being made: asks the server how far the job
// has got every two seconds, moves the bar and shows the stage, and opens the page again when the
// job ends, to show the download button or what went wrong. Without this script the page has a
// "Check again" link that does the same by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status]");
  if (!box) return;
  var url = box.getAttribute("data-export-status");
  // Go to the page's own address rather than reload: a reload after a form could send it again.
  var page = box.getAttribute("data-export-page");
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-export-label]");
  var stage = box.querySelector("[data-export-stage]");
  var slow = box.querySelector("[data-export-slow]");

  function show(element, text) {
    // Only on change: the stage is a live region, and a screen reader repeats every change.
    if (element && element.textContent !== text) element.textContent = text;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        // Signed out meanwhile, or deleted in another tab: the page shows why.
        if (response.redirected || response.status === 404) {
          window.location.replace(page);
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (!job) return;
        if (job.finished) {
          window.location.replace(page);
          return;
        }
        bar.value = job.progress;
        bar.textContent = job.progress + "%";
        show(label, job.label);
        show(stage, job.stage);
        if (slow) slow.hidden = !job.slow;
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        // The server is restarting or the network dropped: try again a little later.
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
