/*
 * The library's service worker (issue 14, item 4), served at /sw.js by elearning.pwa.service_worker,
 * which puts `self.HOCLIEU = {...}` (the offline page, the app shell's static URLs, the content
 * path prefix) before this file. Hand-written rather than Workbox: nothing here is a runtime
 * caching strategy — a lecture is stored by the page when the teacher marks it (static/js/pwa.js),
 * its cache keys carry that teacher's preview token, a SCO's other files are answered from the
 * package's `f/` copy, and the whole store is dropped at logout; Workbox's routing would wrap a
 * few lines of this and add ~20 kB of modules to vendor.
 *
 * Online, every request goes to the network as it would without this worker (nothing is
 * counted twice or served stale). With no connection:
 *   - a lecture page and its files come from the caches the page filled ("hoclieu-bai-<id>");
 *   - a package page opened in the player frame comes as the self-contained copy the page made
 *     (key "/__inline__<path>"), with a CSP sandbox: the package keeps its opaque origin;
 *   - any other page is the offline page; static files come from the app shell cache.
 */
/* global HOCLIEU */
"use strict";

var SHELL = "hoclieu-shell-v1";
var LECTURE_PREFIX = "hoclieu-bai-";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll([HOCLIEU.offlinePage].concat(HOCLIEU.shell));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("hoclieu-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  // The logout form asks for every stored lecture to be dropped (static/js/pwa.js).
  if (event.data && event.data.type === "hoclieu-clear") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(LECTURE_PREFIX) === 0;
      }).map(function (name) { return caches.delete(name); }));
    }));
  }
});

var MATCH = { ignoreVary: true };

function isContent(url) {
  return url.origin === self.location.origin && url.pathname.indexOf(HOCLIEU.contentPrefix) === 0;
}

// A file of a SCO's folder, s/<n>/<path>, is the package's f/<path>.
function packageCopy(url) {
  var rest = url.pathname.slice(HOCLIEU.contentPrefix.length);
  var match = rest.match(/^([^/]+)\/s\/[0-9]+\/(.+)$/);
  return match ? url.origin + HOCLIEU.contentPrefix + match[1] + "/f/" + match[2] : null;
}

function fromCaches(request, url) {
  return caches.match(request, MATCH).then(function (hit) {
    if (hit || !isContent(url)) {
      return hit;
    }
    var copy = packageCopy(url);
    return copy ? caches.match(copy, { ignoreVary: true, ignoreSearch: true }) : undefined;
  });
}

function offline(request, url) {
  if (request.mode === "navigate" && isContent(url)) {
    return caches.match(url.origin + "/__inline__" + url.pathname + url.search, MATCH).then(function (page) {
      return page || fromCaches(request, url);
    }).then(function (hit) {
      return hit || caches.match(HOCLIEU.offlinePage, MATCH);
    });
  }
  return fromCaches(request, url).then(function (hit) {
    if (hit) {
      return hit;
    }
    if (request.mode === "navigate") {
      return caches.match(HOCLIEU.offlinePage, MATCH);
    }
    return Response.error();
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  event.respondWith(fetch(request).catch(function () { return offline(request, url); }));
});
