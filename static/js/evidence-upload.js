// Evidence uploads, made comfortable: drag and drop, paste a screenshot, a caption per file and
// a progress bar per file. Without this script the form still works as a plain multi-file form.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Leaving the page (a link, a reload, closing the tab) while files are still on their way
  // would cut them off: the browser asks first. Nothing is asked once they have all arrived.
  var uploading = 0;
  window.addEventListener("beforeunload", function (event) {
    if (!uploading) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
  var forms = document.querySelectorAll("form[data-evidence-upload]");
  Array.prototype.forEach.call(forms, function (form, index) {
    enhance(form, index === 0);
  });

  function enhance(form, takesPastes) {
    var input = form.querySelector('input[type="file"]');
    var list = form.querySelector("[data-upload-queue]");
    var zone = form.querySelector("[data-drop-zone]");
    var button = form.querySelector('button[type="submit"]');
    var shared = form.querySelector("[data-shared-caption]");
    var queue = [];
    if (shared) shared.hidden = true; // each file gets its own caption instead

    input.addEventListener("change", function () {
      addFiles(input.files);
      input.value = "";
    });
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      addFiles(event.dataTransfer.files);
    });
    if (takesPastes) {
      document.addEventListener("paste", function (event) {
        var files = event.clipboardData ? event.clipboardData.files : [];
        if (!files.length) return; // ordinary text paste
        event.preventDefault();
        addFiles(files);
      });
    }
    form.addEventListener("submit", function (event) {
      // "Attach exhibit N here as well" posts the form elsewhere; it uploads nothing.
      if (event.submitter && event.submitter.hasAttribute("data-attach")) return;
      if (!queue.length) return; // let the server say that no file was chosen
      event.preventDefault();
      uploadAll();
    });

    // The page's words, in the user's language, from the form's data-say-* attributes.
    function say(key, fallback, values) {
      var text = form.dataset["say" + key.charAt(0).toUpperCase() + key.slice(1)] || fallback;
      Object.keys(values || {}).forEach(function (name) {
        text = text.split("{" + name + "}").join(values[name]);
      });
      return text;
    }

    function addFiles(files) {
      Array.prototype.forEach.call(files, function (file) {
        var entry = { file: file, done: false };
        entry.item = document.createElement("li");
        var name = document.createElement("strong");
        name.textContent = file.name || say("unnamed", "Pasted image");
        var label = document.createElement("label");
        label.textContent = say("caption", "Caption for {name} (optional)", { name: name.textContent });
        entry.caption = document.createElement("input");
        entry.caption.type = "text";
        entry.caption.maxLength = 300;
        label.appendChild(entry.caption);
        entry.progress = document.createElement("progress");
        entry.progress.max = 1;
        entry.progress.value = 0;
        entry.progress.setAttribute("aria-label", say("progress", "Upload progress for {name}", { name: name.textContent }));
        entry.status = document.createElement("p");
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link-button";
        remove.textContent = say("remove", "Remove from the list");
        remove.setAttribute("aria-label", say("removeName", "Remove {name} from the list", { name: name.textContent }));
        remove.addEventListener("click", function () {
          queue.splice(queue.indexOf(entry), 1);
          list.removeChild(entry.item);
        });
        [name, label, entry.progress, entry.status, remove].forEach(function (node) {
          entry.item.appendChild(node);
        });
        list.appendChild(entry.item);
        queue.push(entry);
      });
    }

    function uploadAll() {
      button.disabled = true;
      uploading += 1;
      var pending = queue.filter(function (entry) { return !entry.done; });
      var added = 0;
      var next = function () {
        var entry = pending.shift();
        if (!entry) return finish(added);
        uploadOne(entry, function (ok) {
          if (ok) added += 1;
          next();
        });
      };
      next();
    }

    function uploadOne(entry, callback) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("files", entry.file, entry.file.name || "pasted-image.png");
      data.append("caption", entry.caption.value);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) entry.progress.value = event.loaded / event.total;
      });
      request.addEventListener("load", function () {
        if (request.responseURL.indexOf("/sign-in/") !== -1) {
          fail(entry, say("signedOut", "You have been signed out. Sign in again in another tab, then press the button again: your files are still listed here."));
          callback(false);
          return;
        }
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = {}; }
        (answer.duplicates || []).forEach(function (duplicate) {
          offerAttach(entry, duplicate);
        });
        if (answer.kept && answer.kept.length) {
          entry.done = true;
          entry.progress.value = 1;
          entry.status.textContent = say("added", "Added.");
          callback(true);
        } else {
          var reasons = (answer.problems || []).join(" ");
          fail(entry, reasons || say("refused", "The server did not accept this file ({status}).", { status: request.status }));
          callback(false);
        }
      });
      request.addEventListener("error", function () {
        fail(entry, say("failed", "The upload did not go through. Check the connection and try again."));
        callback(false);
      });
      request.send(data);
    }

    // The file is already an exhibit of this person: link to it, and offer to attach it here.
    function offerAttach(entry, duplicate) {
      if (duplicate.url) {
        var open = document.createElement("a");
        open.href = duplicate.url;
        open.textContent = say("open", "Open exhibit {number}", { number: duplicate.number });
        entry.item.appendChild(open);
      }
      if (!duplicate.attach_url) return;
      var attach = document.createElement("button");
      attach.type = "submit";
      attach.className = "button";
      attach.setAttribute("formaction", duplicate.attach_url);
      attach.setAttribute("formnovalidate", "");
      attach.setAttribute("data-attach", "");
      attach.textContent = say("attach", "Attach exhibit {number} to this record as well", { number: duplicate.number });
      entry.item.appendChild(attach);
    }

    function fail(entry, message) {
      entry.status.textContent = message;
      entry.status.className = "upload-error";
    }

    function finish(added) {
      button.disabled = false;
      uploading -= 1;
      var failed = queue.filter(function (entry) { return !entry.done; });
      if (!failed.length) {
        window.location.assign(form.dataset.return || window.location.href);
        return;
      }
      queue = failed;
      if (added) {
        var note = document.createElement("li");
        note.textContent = (added === 1 ? "1 file was added." : added + " files were added.") +
          " The others are listed below with the reason.";
        list.insertBefore(note, list.firstChild);
      }
    }
  }
})();
