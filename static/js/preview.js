/*
 * The preview component (templates/components/preview.html): moves the sandboxed frame between
 * the SCOs of a package from its table of contents (choice) or the previous/next buttons
 * (flow), highlights the SCO being shown, and shows what the package reports to the SCORM
 * runtime. Messages are taken only from the preview frame itself.
 */
(function () {
  "use strict";
  var frame = document.getElementById("preview-frame");
  if (!frame) {
    return;
  }
  var status = document.getElementById("runtime-status");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-sco-src]"));
  var current = items.findIndex(function (item) { return item.getAttribute("aria-current") === "true"; });

  function show(position) {
    if (position < 0 || position >= items.length) {
      return;
    }
    items.forEach(function (item, i) {
      if (i === position) {
        item.setAttribute("aria-current", "true");
      } else {
        item.removeAttribute("aria-current");
      }
    });
    current = position;
    if (status) {
      status.textContent = "…";
      status.dataset.event = "";
    }
    frame.src = items[position].dataset.scoSrc;
  }

  items.forEach(function (item, i) {
    item.addEventListener("click", function () { show(i); });
  });
  document.querySelectorAll("[data-sco-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      show((current < 0 ? 0 : current) + Number(button.dataset.scoStep));
    });
  });

  var labels = status ? {
    launch: status.dataset.launch,
    initialize: status.dataset.initialize,
    setvalue: status.dataset.setvalue,
    commit: status.dataset.commit,
    finish: status.dataset.finish
  } : {};
  window.addEventListener("message", function (event) {
    // Only the preview frame speaks here; its origin is opaque ("null") or the content host.
    if (event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data;
    if (!data || data.source !== "scorm-player" || typeof data.event !== "string") {
      return;
    }
    var label = labels[data.event];
    if (status && label) {
      status.textContent = label;
      status.dataset.event = data.event;
      status.dataset.sco = String(data.sco);
    }
    var item = items.find(function (candidate) { return candidate.dataset.scoIndex === String(data.sco); });
    if (item && (data.event === "initialize" || data.event === "setvalue" || data.event === "commit")) {
      item.dataset.initialized = "true";
      var state = item.querySelector(".toc-state");
      if (state && status) {
        state.textContent = " " + status.dataset.opened;
      }
    }
  });
})();
