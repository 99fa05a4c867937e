// The import of a phone's export file: sends the form with a progress bar (the file can be
// large), then follows the server to the page it answers with (the numbers found, or the form
// again with what went wrong). Without this script the form is sent as usual.
(function () {
  "use strict";
  var form = document.querySelector("form[data-message-upload]");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var box = form.querySelector("[data-upload-progress]");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[data-upload-status]");
  var button = form.querySelector('button[type="submit"]');
  var sending = false;

  window.addEventListener("beforeunload", function (event) {
    if (!sending) return;
    event.preventDefault();
    event.returnValue = "";
  });

  form.addEventListener("submit", function (event) {
    var input = form.querySelector('input[type="file"]');
    if (!input.files.length) return; // let the server say that no file was chosen
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) return;
      var percent = Math.floor((progress.loaded * 100) / progress.total);
      bar.value = percent;
      bar.textContent = percent + "%";
    });
    request.upload.addEventListener("load", function () {
      status.textContent = box.getAttribute("data-reading") || status.textContent;
    });
    request.addEventListener("load", function () {
      sending = false;
      if (request.responseURL && request.responseURL !== window.location.href) {
        window.location.assign(request.responseURL);
        return;
      }
      // The form again, with the reason the file was refused: put it in place of this one
      // (sent again, it goes the plain way).
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      var fresh = page.querySelector("form[data-message-upload]");
      if (!fresh) {
        window.location.reload();
        return;
      }
      form.replaceWith(fresh);
      var errors = fresh.querySelector(".form-errors");
      if (errors) errors.focus();
    });
    request.addEventListener("error", function () {
      sending = false;
      button.disabled = false;
      box.hidden = true;
      form.submit();
    });
    sending = true;
    button.disabled = true;
    box.hidden = false;
    request.send(new FormData(form));
  });
})();
