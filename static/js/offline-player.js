/*
 * The page of an offline copy (repository.offline): index.html opened from the file system.
 * Reads the lecture from bai-giang.js (a script: a file:// page may not fetch its neighbours),
 * shows the package in a frame with its table of contents, or the video / PDF, and shows what
 * each SCO kept in this browser's localStorage (scorm-player.js writes it). Sends nothing.
 */
(function () {
  "use strict";
  var data = window.HOCLIEU_OFFLINE;
  var stage = document.getElementById("stage");
  if (!data || !stage) {
    return;
  }
  var toc = document.getElementById("toc");
  var items = [];
  var frame = null;
  var status = null;

  function kept(index) {
    try {
      var value = JSON.parse(window.localStorage.getItem(data.key + ":" + index) || "null");
      return value && value.state ? value.state : null;
    } catch (e) {
      return null;
    }
  }

  function describe(state) {
    if (!state) {
      return "";
    }
    var core = state.core || {};
    var done = state.completion_status === "completed" || core.lesson_status === "completed" ||
      core.lesson_status === "passed" || state.success_status === "passed";
    var score = (state.score || core.score || {}).raw;
    var parts = [];
    if (done) { parts.push(stage.dataset.done); }
    if (score !== undefined) { parts.push(stage.dataset.score + " " + score); }
    return parts.length ? " (" + parts.join(", ") + ")" : "";
  }

  function refresh() {
    items.forEach(function (item) {
      item.querySelector(".state").textContent = describe(kept(item.dataset.index));
    });
  }

  function show(position) {
    items.forEach(function (item, i) {
      if (i === position) {
        item.setAttribute("aria-current", "true");
      } else {
        item.removeAttribute("aria-current");
      }
    });
    frame.src = items[position].dataset.src;
  }

  if (data.kind === "scorm" || data.kind === "html5") {
    frame = document.createElement("iframe");
    frame.className = "frame";
    frame.title = data.title;
    frame.setAttribute("allowfullscreen", "");
    frame.src = data.src;
    stage.appendChild(frame);
    status = document.createElement("p");
    status.className = "status";
    status.setAttribute("aria-live", "polite");
    status.id = "runtime-status";
    stage.appendChild(status);
    var list = toc.querySelector("ol");
    (data.toc || []).forEach(function (entry) {
      var li = document.createElement("li");
      li.style.paddingLeft = (entry.depth * 0.75) + "rem";
      if (entry.src) {
        var button = document.createElement("button");
        button.type = "button";
        button.dataset.src = entry.src;
        button.dataset.index = String(entry.index);
        button.textContent = entry.title;
        var state = document.createElement("span");
        state.className = "state";
        button.appendChild(state);
        var position = items.length;
        button.addEventListener("click", function () { show(position); });
        items.push(button);
        li.appendChild(button);
      } else {
        li.textContent = entry.title;
        li.style.fontWeight = "600";
      }
      list.appendChild(li);
    });
    if (items.length > 1) {
      toc.hidden = false;
      items[0].setAttribute("aria-current", "true");
    }
    refresh();
    window.addEventListener("message", function (event) {
      // Only the lecture's frame speaks here (its origin is opaque under file://).
      if (event.source !== frame.contentWindow) {
        return;
      }
      var message = event.data;
      if (!message || message.source !== "scorm-player" || typeof message.event !== "string") {
        return;
      }
      var label = stage.dataset[message.event];
      if (label) {
        status.textContent = label;
        status.dataset.event = message.event;
      }
      refresh();
    });
  } else if (data.kind === "video") {
    var video = document.createElement("video");
    video.controls = true;
    video.preload = "metadata";
    var source = document.createElement("source");
    source.src = data.src;
    source.type = data.type;
    video.appendChild(source);
    stage.appendChild(video);
  } else if (data.kind === "pdf") {
    var pdf = document.createElement("iframe");
    pdf.className = "frame";
    pdf.title = data.title;
    pdf.src = data.src;
    stage.appendChild(pdf);
    var link = document.createElement("a");
    link.href = data.src;
    link.textContent = data.src.split("/").pop();
    var p = document.createElement("p");
    p.className = "status";
    p.appendChild(link);
    stage.appendChild(p);
  }

  var clear = document.getElementById("clear-results");
  if (clear) {
    if (data.kind !== "scorm") {
      clear.hidden = true;
    }
    clear.addEventListener("click", function () {
      try {
        Object.keys(window.localStorage).forEach(function (name) {
          if (name.indexOf(data.key + ":") === 0) {
            window.localStorage.removeItem(name);
          }
        });
      } catch (e) { /* storage refused */ }
      refresh();
      if (status) {
        status.textContent = stage.dataset.cleared;
      }
    });
  }
})();
