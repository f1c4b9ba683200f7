/*
 * The SCORM runtime shell of the library preview (repository app).
 *
 * This document is served from the token-protected content path with
 * `Content-Security-Policy: sandbox allow-scripts allow-forms allow-popups`, so it runs in an
 * opaque origin that cannot touch the app. It creates scorm-again's API object here
 * (window.API for SCORM 1.2, window.API_1484_11 for SCORM 2004) and loads the package's launch
 * page into a child frame that shares this opaque origin: the frame's document is the launch
 * page's HTML given as `srcdoc` with a <base> pointing at its real URL, so relative links,
 * scripts and images load from the package while the SCO's standard API discovery
 * (window.parent …) finds the API here. Two URL-loaded documents in a sandbox without
 * allow-same-origin could never script each other; a srcdoc frame inherits its parent's origin.
 *
 * With a separate content host (mode "src") the shell and the package share that host's
 * origin, so the launch page is simply loaded by URL.
 *
 * What the package reports (initialize, commit, finish, and the CMI data) is sent to the
 * server with the same token (text/plain POST, no cookie) and announced to the app page with
 * postMessage, which shows it to the user.
 */
(function () {
  "use strict";
  var cfg = document.body.dataset;
  var version = cfg.scormVersion;
  var frame = document.getElementById("sco");
  var api = null;
  var timer = null;

  function snapshot() {
    try {
      return api ? JSON.parse(JSON.stringify(api.cmi)) : null;
    } catch (e) {
      return null;
    }
  }

  function report(event, withCmi) {
    var body = { event: event, scorm_version: version };
    if (withCmi) {
      body.cmi = snapshot();
    }
    try {
      fetch(cfg.runtimeUrl, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(body),
        credentials: "omit",
        keepalive: true
      }).catch(function () {});
    } catch (e) { /* the preview goes on without a record */ }
    if (cfg.appOrigin && window.parent !== window) {
      window.parent.postMessage({ source: "scorm-player", event: event, version: version }, cfg.appOrigin);
    }
  }

  function soon() {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(function () { report("setvalue", true); }, 1500);
  }

  var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
  if (version === "1.2" && window.Scorm12API) {
    api = new window.Scorm12API(settings);
    window.API = api;
    api.on("LMSInitialize", function () { report("initialize", true); });
    api.on("LMSSetValue.cmi.*", soon);
    api.on("LMSCommit", function () { report("commit", true); });
    api.on("LMSFinish", function () { report("finish", true); });
  } else if (version === "2004" && window.Scorm2004API) {
    api = new window.Scorm2004API(settings);
    window.API_1484_11 = api;
    api.on("Initialize", function () { report("initialize", true); });
    api.on("SetValue.cmi.*", soon);
    api.on("Commit", function () { report("commit", true); });
    api.on("Terminate", function () { report("finish", true); });
  }

  var launch = new URL(cfg.launchUrl, window.location.href).href;
  if (cfg.mode === "src") {
    frame.src = launch;
    return;
  }
  fetch(launch, { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.text();
    })
    .then(function (html) {
      var base = '<base href="' + launch.replace(/"/g, "%22") + '">';
      var withBase = /<head[^>]*>/i.test(html)
        ? html.replace(/<head[^>]*>/i, function (head) { return head + base; })
        : base + html;
      frame.srcdoc = withBase;
      report("launch", false);
    })
    .catch(function () {
      document.body.textContent = "Không mở được bài giảng. Vui lòng tải lại trang.";
    });
})();
