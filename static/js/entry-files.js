// Files while logging: the new-entry form's pictures and files, sent with the entry in one save.
// Without this script the plain file inputs still send every chosen file (with one shared
// caption). With it, files can also be dragged onto the form or pasted, and each waits in a
// list with its name on its own line, a preview (pictures), its own caption and a Remove
// button; a file the app cannot take is shown as refused, with the reason, and not sent.
(function () {
  "use strict";

  function start(box) {
    var input = box.querySelector("input[type=file][data-entry-files-main]");
    var camera = box.querySelector("input[type=file][data-entry-files-camera]");
    var queue = box.querySelector("[data-file-queue]");
    var zone = box.querySelector("[data-drop-zone]");
    var shared = box.querySelector("[data-shared-caption]");
    var maxBytes = Number(box.getAttribute("data-max-file-mb")) * 1024 * 1024;
    var maxFiles = Number(box.getAttribute("data-max-files"));
    // The whole request (the entry's text too) must stay under the server's limit: keep 1 MB.
    var maxTotal = (Number(box.getAttribute("data-max-request-mb")) - 1) * 1024 * 1024;
    var words = box.dataset;
    var items = [];  // {file, caption}

    box.classList.add("entry-files-js");
    if (shared) shared.hidden = true;

    function sync() {
      var transfer = new DataTransfer();
      items.forEach(function (item) { transfer.items.add(item.file); });
      input.files = transfer.files;
      if (camera) camera.value = "";
    }

    function preview(file, li) {
      if (!/^image\//.test(file.type)) {
        var icon = document.createElement("span");
        icon.className = "file-queue-icon";
        icon.textContent = (file.name.split(".").pop() || "").toUpperCase().slice(0, 4);
        li.appendChild(icon);
        return;
      }
      var img = document.createElement("img");
      img.alt = "";
      img.className = "file-queue-preview";
      li.appendChild(img);
      // A data: address: the page's content policy allows those for pictures, not blob: ones.
      var reader = new FileReader();
      reader.onload = function () { img.src = reader.result; };
      reader.readAsDataURL(file);
    }

    function row(file, problem) {
      var li = document.createElement("li");
      li.className = problem ? "file-queue-item file-queue-failed" : "file-queue-item";
      preview(file, li);
      var body = document.createElement("div");
      body.className = "file-queue-body";
      var name = document.createElement("span");
      name.className = "file-queue-name";
      name.textContent = file.name || words.unnamed;
      body.appendChild(name);
      var size = document.createElement("span");
      size.className = "file-queue-size";
      size.textContent = (file.size / 1024 / 1024).toFixed(1) + " MB";
      body.appendChild(size);
      li.appendChild(body);
      if (problem) {
        var error = document.createElement("p");
        error.className = "file-queue-error";
        error.textContent = problem;
        body.appendChild(error);
      }
      return { li: li, body: body };
    }

    function captionField(item, body, index) {
      var id = "entry-file-caption-" + index;
      var label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = words.captionLabel.replace("{name}", item.file.name || words.unnamed);
      var field = document.createElement("input");
      field.type = "text";
      field.name = "file_captions";
      field.id = id;
      field.value = item.caption;
      field.addEventListener("input", function () { item.caption = field.value; });
      body.appendChild(label);
      body.appendChild(field);
    }

    function removeButton(item, body) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = words.remove.replace("{name}", item.file.name || words.unnamed);
      button.addEventListener("click", function () {
        items.splice(items.indexOf(item), 1);
        sync();
        render();
      });
      body.appendChild(button);
    }

    var refused = [];
    function render() {
      queue.textContent = "";
      items.forEach(function (item, index) {
        var parts = row(item.file, null);
        captionField(item, parts.body, index);
        removeButton(item, parts.body);
        queue.appendChild(parts.li);
      });
      refused.forEach(function (entry) { queue.appendChild(row(entry.file, entry.problem).li); });
    }

    function queuedBytes() {
      return items.reduce(function (sum, item) { return sum + item.file.size; }, 0);
    }

    function add(files) {
      refused = [];
      Array.prototype.forEach.call(files, function (file) {
        if (maxBytes && file.size > maxBytes) {
          refused.push({ file: file, problem: words.tooBig });
        } else if (maxFiles && items.length >= maxFiles) {
          refused.push({ file: file, problem: words.tooMany });
        } else if (maxTotal > 0 && queuedBytes() + file.size > maxTotal) {
          refused.push({ file: file, problem: words.tooMuch });
        } else {
          items.push({ file: file, caption: "" });
        }
      });
      sync();
      render();
    }

    input.addEventListener("change", function () {
      // The picker replaces the input's files: the queue keeps the earlier ones too.
      var chosen = Array.prototype.slice.call(input.files);
      var known = items.map(function (item) { return item.file; });
      add(chosen.filter(function (file) { return known.indexOf(file) === -1; }));
    });
    if (camera) camera.addEventListener("change", function () { add(camera.files); });

    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dragging"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
    });
    box.closest("form").addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        add(files);
      }
    });
  }

  function init() {
    if (!window.DataTransfer || !window.FileReader) return;
    try { new DataTransfer(); } catch (e) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-entry-files]"), start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
