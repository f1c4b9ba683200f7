/* LTI pages inside the LMS's frame (interop/lti):
 * - the Deep Linking return form posts itself back to the LMS;
 * - the player tells the app when the SCORM runtime committed or finished, so the result the
 *   runtime stored is sent to the LMS gradebook. The URL's launch token is the credential. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) {
    form.submit();
    return;
  }
  var note = document.querySelector("[data-lti-score]");
  var frame = document.getElementById("preview-frame");
  if (!note || !frame) {
    return;
  }
  var timer = null;
  function report() {
    timer = null;
    fetch(note.dataset.ltiScore, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
      credentials: "omit"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && data.queued) {
        note.textContent = note.dataset.sent;
      }
    }).catch(function () {
      note.textContent = note.dataset.failed;
    });
  }
  window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow) {
      return;
    }
    var data = event.data;
    if (!data || data.source !== "scorm-player") {
      return;
    }
    if (data.event === "commit" || data.event === "finish") {
      // The runtime's report reaches the app first; a short wait lets it be stored.
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(report, 1500);
    }
  });
})();
