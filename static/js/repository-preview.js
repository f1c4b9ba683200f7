/* The library detail page: shows what the previewed package reports to the SCORM runtime. */
(function () {
  "use strict";
  var frame = document.getElementById("preview-frame");
  var status = document.getElementById("runtime-status");
  if (!frame || !status) {
    return;
  }
  var labels = {
    launch: status.dataset.launch,
    initialize: status.dataset.initialize,
    setvalue: status.dataset.setvalue,
    commit: status.dataset.commit,
    finish: status.dataset.finish
  };
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
    if (label) {
      status.textContent = label;
      status.dataset.event = data.event;
    }
  });
})();
