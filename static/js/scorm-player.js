/*
 * The SCORM runtime of the library preview (repository app), loaded at the top of a SCORM
 * package's launch page by the content view, before any of the package's own scripts.
 *
 * The launch page runs in a sandboxed frame without allow-same-origin: an opaque origin that
 * cannot reach the app page, so the usual place for the API (a parent window) is out of reach,
 * and a second sandboxed document could not share an origin with it either (every document in
 * such a sandbox gets its own opaque origin, srcdoc frames included). So the API lives in the
 * SCO's own window, made by scorm-again, and `window.parent` (a [Replaceable] attribute) is
 * replaced by a stand-in that exposes only `API` / `API_1484_11`. The standard ADL discovery
 * algorithms (SCORM 1.2: look in window, then walk parent; SCORM 2004: walk from parent) find
 * it there; anything else asked of the stand-in throws a SecurityError, as a cross-origin parent
 * would. `window.top` cannot be replaced and stays the real, unreachable app page.
 *
 * What the package reports (initialize, values set, commit, finish, with the CMI data) is sent
 * to the server on the token path (text/plain POST, no cookie) and announced to the app page
 * with postMessage so it can show the state to the user. Each SCO of a package has its own
 * launch page, runtime and record: `data-sco` names it, and `data-state` carries what this SCO
 * last committed for this user (location, status, suspend data), loaded before the SCO starts.
 *
 * In an offline copy (repository.offline: a zip opened from the file system) `data-offline-key`
 * is set instead of a runtime URL: nothing is sent anywhere; what the SCO commits is kept in the
 * browser's localStorage under "<key>:<sco>" and given back at its next launch.
 */
(function () {
  "use strict";
  var cfg = document.currentScript ? document.currentScript.dataset : {};
  var version = cfg.scormVersion;
  var sco = Number(cfg.sco || 0);
  var realParent = window.parent;
  var api = null;
  var timer = null;

  function snapshot() {
    try {
      return api ? JSON.parse(JSON.stringify(api.cmi)) : null;
    } catch (e) {
      return null;
    }
  }

  var sequence = 0;
  var offlineKey = cfg.offlineKey || "";

  // The part of the CMI data given back at the next launch (repository.preview.resume_state
  // does the same on the server for the online player).
  function resumable(cmi) {
    function pick(data, path) {
      for (var i = 0; i < path.length; i++) {
        data = data && typeof data === "object" ? data[path[i]] : undefined;
      }
      return (typeof data === "string" || typeof data === "number") && data !== "" ? data : undefined;
    }
    var out = {};
    var score = {};
    if (!cmi) {
      return out;
    }
    if (version === "2004") {
      ["location", "completion_status", "success_status", "suspend_data"].forEach(function (k) {
        var v = pick(cmi, [k]);
        if (v !== undefined && v !== "unknown") { out[k] = v; }
      });
      ["raw", "min", "max", "scaled"].forEach(function (k) {
        var v = pick(cmi, ["score", k]);
        if (v !== undefined) { score[k] = v; }
      });
      if (Object.keys(score).length) { out.score = score; }
      return out;
    }
    var core = {};
    ["lesson_location", "lesson_status"].forEach(function (k) {
      var v = pick(cmi, ["core", k]);
      if (v !== undefined && v !== "not attempted") { core[k] = v; }
    });
    ["raw", "min", "max"].forEach(function (k) {
      var v = pick(cmi, ["core", "score", k]);
      if (v !== undefined) { score[k] = v; }
    });
    if (Object.keys(score).length) { core.score = score; }
    if (Object.keys(core).length) { out.core = core; }
    var suspend = pick(cmi, ["suspend_data"]);
    if (suspend !== undefined) { out.suspend_data = suspend; }
    return out;
  }

  function keepOffline() {
    try {
      window.localStorage.setItem(offlineKey + ":" + sco, JSON.stringify({ state: resumable(snapshot()), t: Date.now() }));
    } catch (e) { /* storage full or refused: the lesson goes on without keeping results */ }
  }

  function loadOffline() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(offlineKey + ":" + sco) || "{}");
      return kept && kept.state ? kept.state : {};
    } catch (e) {
      return {};
    }
  }

  function report(event, withCmi) {
    // t and seq order the reports: they may reach the server in any order.
    sequence = (sequence + 1) % 1000;
    var body = { event: event, scorm_version: version, t: Date.now(), seq: sequence };
    if (withCmi) {
      body.cmi = snapshot();
    }
    if (offlineKey) {
      if (withCmi) {
        keepOffline();
      }
    } else {
      try {
        fetch(cfg.runtimeUrl, {
          method: "POST",
          headers: { "Content-Type": "text/plain;charset=UTF-8" },
          body: JSON.stringify(body),
          credentials: "omit",
          keepalive: true
        }).catch(function () {});
      } catch (e) { /* the preview goes on without a record */ }
    }
    if (cfg.appOrigin && realParent && realParent !== window) {
      try {
        realParent.postMessage({ source: "scorm-player", event: event, version: version, sco: sco }, cfg.appOrigin);
      } catch (e) { /* not framed by the app */ }
    }
  }

  function soon() {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(function () { report("setvalue", true); }, 800);
  }

  var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
  var exposed = { API: null, API_1484_11: null };
  if (version === "1.2" && window.Scorm12API) {
    api = new window.Scorm12API(settings);
    exposed.API = api;
    api.on("LMSInitialize", function () { report("initialize", true); });
    api.on("LMSSetValue.cmi.*", soon);
    api.on("LMSCommit", function () { report("commit", true); });
    api.on("LMSFinish", function () { report("finish", true); });
  } else if (version === "2004" && window.Scorm2004API) {
    api = new window.Scorm2004API(settings);
    exposed.API_1484_11 = api;
    api.on("Initialize", function () { report("initialize", true); });
    api.on("SetValue.cmi.*", soon);
    api.on("Commit", function () { report("commit", true); });
    api.on("Terminate", function () { report("finish", true); });
  }
  if (!api) {
    return;
  }
  try {
    var state = offlineKey ? loadOffline() : JSON.parse(cfg.state || "{}");
    if (state && typeof state === "object" && Object.keys(state).length) {
      api.loadFromJSON(state, "cmi");
      // The SCO resumes where it was left (SCORM: cmi.core.entry / cmi.entry = "resume").
      if (version === "1.2") {
        api.cmi.core.entry = "resume";
      } else {
        api.cmi.entry = "resume";
      }
    }
  } catch (e) { /* a state the runtime refuses: the SCO starts afresh */ }
  // Also in the SCO's own window, for packages that look there first.
  window.API = exposed.API || window.API;
  window.API_1484_11 = exposed.API_1484_11 || window.API_1484_11;

  var host = new Proxy(
    {},
    {
      get: function (target, prop) {
        if (prop === "API" || prop === "API_1484_11") {
          return exposed[prop];
        }
        if (prop === "parent" || prop === "top" || prop === "self" || prop === "window") {
          return host;
        }
        if (prop === "postMessage") {
          return function () {};
        }
        if (typeof prop === "symbol" || prop === "then" || prop === "toJSON") {
          return undefined;
        }
        throw new DOMException("Blocked a frame from accessing a cross-origin frame.", "SecurityError");
      },
      set: function () {
        throw new DOMException("Blocked a frame from accessing a cross-origin frame.", "SecurityError");
      }
    }
  );
  try {
    window.parent = host;
  } catch (e) { /* a browser without [Replaceable] parent: discovery falls back to window.API */ }
  report("launch", false);
})();
