/*
 * The installable library (issue 14, item 4), loaded deferred on every page by base.html:
 *   - registers the service worker /sw.js (static/js/sw.js);
 *   - logging out, or another person signing in on this device, drops every kept lecture;
 *   - on a lecture page, "Dùng khi không có mạng" keeps the page, every file of the lecture
 *     (the list comes from /library/<id>/offline/files/, which checks the user may see it) and
 *     the player in the caches "hoclieu-bai-<id>"; with no connection the kept page plays it;
 *   - the page "Bài giảng đã lưu" lists and removes what this device keeps.
 *
 * A package plays in a sandboxed frame whose origin is opaque, and Chromium sends neither such
 * a frame's navigation nor its files through a service worker. So each HTML page of a package
 * is also kept as a self-contained copy (its scripts, styles, images and sounds written in as
 * data: URLs) under "/__inline__<path>", which the worker serves to the player frame with a CSP
 * sandbox, and with no connection the frame loses its sandbox attribute so that its navigation
 * reaches the worker: the package still runs in an opaque origin, set by that CSP.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var cfg = script ? script.dataset : {};
  var PREFIX = "hoclieu-bai-";
  var SHELL = "hoclieu-shell-v1";
  var OWNER = "hoclieu-pwa-owner";
  var INLINE_CSP = "sandbox allow-scripts allow-forms allow-popups; default-src 'none'; " +
    "script-src 'unsafe-inline' 'unsafe-eval' data:; style-src 'unsafe-inline' data:; img-src data:; " +
    "media-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
  var supported = "serviceWorker" in navigator && "caches" in window;

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; });
  }

  function size(bytes) {
    var units = ["byte", "KB", "MB", "GB"];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i++; }
    return (i ? bytes.toFixed(1).replace(".", ",") : String(bytes)) + " " + units[i];
  }

  function lectureCaches() {
    return caches.keys().then(function (names) {
      return names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
    });
  }

  function clearAll() {
    if (!supported) {
      return Promise.resolve();
    }
    if (navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "hoclieu-clear" });
    }
    return lectureCaches().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    });
  }

  if (!supported) {
    return;
  }
  navigator.serviceWorker.register(cfg.sw, { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function () {
    document.documentElement.dataset.sw = "ready";
  }).catch(function () { /* the site works as before, without offline lectures */ });

  // SECURITY: what one person kept is not left to the next one on a shared device.
  try {
    var owner = window.localStorage.getItem(OWNER);
    if (cfg.user && owner && owner !== cfg.user) {
      clearAll();
    }
    if (cfg.user) {
      window.localStorage.setItem(OWNER, cfg.user);
    }
  } catch (e) { /* no localStorage: logging out still clears */ }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!cfg.logout || form.getAttribute("action") !== cfg.logout || form.dataset.cleared) {
      return;
    }
    event.preventDefault();
    form.dataset.cleared = "1";
    clearAll().catch(function () {}).then(function () { form.submit(); });
  }, true);

  // --- Keeping a lecture ---------------------------------------------------------------------

  function readAsDataUrl(response) {
    return response.blob().then(function (blob) {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onload = function () { resolve(reader.result); };
        reader.onerror = reject;
        reader.readAsDataURL(blob);
      });
    });
  }

  function kept(url) {
    // A SCO's other files are kept once, as the package's f/<path> (static/js/sw.js does the same).
    return caches.match(url, { ignoreVary: true }).then(function (hit) {
      if (hit) {
        return hit;
      }
      var parsed = new URL(url);
      var match = parsed.pathname.match(/^(.*\/)s\/[0-9]+\/(.+)$/);
      if (!match || parsed.pathname.indexOf(cfg.contentPrefix) !== 0) {
        return undefined;
      }
      return caches.match(parsed.origin + match[1] + "f/" + match[2], { ignoreVary: true, ignoreSearch: true });
    });
  }

  function dataUrl(url) {
    return kept(url).then(function (response) { return response ? readAsDataUrl(response) : null; });
  }

  function inlineCss(text, base) {
    var urls = [];
    text.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, function (all, quote, ref) { urls.push(ref); return all; });
    return Promise.all(urls.map(function (ref) {
      return /^(data:|#)/.test(ref) ? null : dataUrl(new URL(ref, base).href).catch(function () { return null; });
    })).then(function (found) {
      var i = 0;
      return text.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, function (all) {
        var data = found[i++];
        return data ? 'url("' + data + '")' : all;
      });
    });
  }

  function inlinePage(url) {
    return kept(url).then(function (response) {
      return response.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var work = [];
      doc.querySelectorAll("script[src], img[src], audio[src], video[src], source[src], track[src], input[src], video[poster]").forEach(function (el) {
        var attr = el.hasAttribute("src") ? "src" : "poster";
        work.push(dataUrl(new URL(el.getAttribute(attr), url).href).then(function (data) {
          if (data) { el.setAttribute(attr, data); }
        }));
      });
      doc.querySelectorAll("link[rel~='stylesheet'][href]").forEach(function (el) {
        var href = new URL(el.getAttribute("href"), url).href;
        work.push(kept(href).then(function (response) {
          return response ? response.text().then(function (css) { return inlineCss(css, href); }) : null;
        }).then(function (css) {
          if (css !== null) {
            var style = doc.createElement("style");
            style.textContent = css;
            el.replaceWith(style);
          }
        }));
      });
      doc.querySelectorAll("style").forEach(function (el) {
        work.push(inlineCss(el.textContent, url).then(function (css) { el.textContent = css; }));
      });
      return Promise.all(work).then(function () {
        if (!doc.querySelector("meta[charset]")) {
          var meta = doc.createElement("meta");
          meta.setAttribute("charset", "utf-8");
          doc.head.prepend(meta);
        }
        return "<!doctype html>\n" + doc.documentElement.outerHTML;
      });
    });
  }

  function store(cache, url, options) {
    return fetch(url, options || {}).then(function (response) {
      if (!response.ok || response.redirected) {
        throw new Error(url);
      }
      return cache.put(url, response);
    });
  }

  function inPool(urls, worker, progress) {
    var next = 0;
    var done = 0;
    function one() {
      if (next >= urls.length) {
        return Promise.resolve();
      }
      var url = urls[next++];
      return worker(url).then(function () { done++; progress(done, urls.length); return one(); });
    }
    return Promise.all([one(), one(), one(), one()]);
  }

  function keep(card, status) {
    var pk = card.dataset.publication;
    var name = PREFIX + pk;
    var info;
    var cache;
    var base;
    return fetch(card.dataset.filesUrl, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error("files");
      }
      return response.json();
    }).then(function (data) {
      info = data;
      cfg.contentPrefix = info.content_prefix;
      return caches.open(name);
    }).then(function (opened) {
      cache = opened;
      return fetch(info.page, { credentials: "same-origin" });
    }).then(function (response) {
      if (!response.ok || response.redirected) {
        throw new Error("page");
      }
      return response.clone().text().then(function (html) {
        // The page's own preview token: the files are kept under the URLs this page will ask for.
        var at = html.indexOf(info.content_prefix);
        if (at < 0) {
          throw new Error("token");
        }
        var token = html.slice(at + info.content_prefix.length).split("/")[0];
        base = location.origin + info.content_prefix + token + "/";
        return cache.put(info.page, response);
      });
    }).then(function () {
      var urls = info.files.map(function (file) { return base + file.path; }).concat(info.static);
      return inPool(urls, function (url) { return store(cache, url); }, function (done, total) {
        status.textContent = format(card.dataset.saving, { done: done, total: total });
      });
    }).then(function () {
      var pages = info.files.filter(function (file) { return /\.html?$/i.test(file.path.split("?")[0]); });
      return Promise.all(pages.map(function (file) {
        var url = new URL(base + file.path);
        return inlinePage(url.href).then(function (html) {
          return cache.put(location.origin + "/__inline__" + url.pathname + url.search, new Response(html, {
            headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": INLINE_CSP }
          }));
        });
      }));
    }).then(function () {
      return caches.open(SHELL).then(function (shell) {
        return cfg.saved ? store(shell, cfg.saved, { credentials: "same-origin" }) : null;
      });
    }).then(function () {
      var meta = { title: info.title, page: info.page, files: card.dataset.filesUrl, bytes: info.bytes, saved: Date.now() };
      return cache.put(location.origin + "/__meta__/" + pk, new Response(JSON.stringify(meta), {
        headers: { "Content-Type": "application/json" }
      }));
    }).catch(function (error) {
      return caches.delete(name).then(function () { throw error; });
    });
  }

  function showSaved(card, saved) {
    card.querySelector("[data-pwa-remove]").hidden = !saved;
  }

  var card = document.querySelector("[data-pwa-offline]");
  if (card) {
    var status = card.querySelector("[data-pwa-status]");
    var name = PREFIX + card.dataset.publication;
    card.hidden = false;
    caches.has(name).then(function (saved) {
      showSaved(card, saved);
      if (saved) {
        status.textContent = card.dataset.saved;
      }
      if (saved && !navigator.onLine) {
        status.textContent = card.dataset.offlineMode;
        playKept();
      }
    });
    if (navigator.storage && navigator.storage.estimate) {
      navigator.storage.estimate().then(function (estimate) {
        if (estimate.quota && !status.textContent) {
          status.textContent = format(card.dataset.space, { size: size(estimate.quota - (estimate.usage || 0)) });
        }
      });
    }
    card.querySelector("[data-pwa-save]").addEventListener("click", function (event) {
      var button = event.currentTarget;
      button.disabled = true;
      if (navigator.storage && navigator.storage.persist) {
        navigator.storage.persist();
      }
      keep(card, status).then(function () {
        status.textContent = card.dataset.saved;
        card.dataset.state = "saved";
        showSaved(card, true);
      }, function () {
        status.textContent = card.dataset.failed;
        card.dataset.state = "failed";
      }).then(function () { button.disabled = false; });
    });
    card.querySelector("[data-pwa-remove]").addEventListener("click", function () {
      caches.delete(name).then(function () {
        status.textContent = card.dataset.removed;
        card.dataset.state = "removed";
        showSaved(card, false);
      });
    });
  }

  // With no connection, the player frame loads through the worker (see the comment at the top).
  function playKept() {
    var frame = document.getElementById("preview-frame");
    if (!frame) {
      return;
    }
    frame.removeAttribute("sandbox");
    var reload = function () { frame.src = frame.getAttribute("src"); };
    // Again once the first (failed) navigation is over, should it end after this one started.
    frame.addEventListener("load", reload, { once: true });
    reload();
  }

  // --- Bài giảng đã lưu ----------------------------------------------------------------------

  var list = document.querySelector("[data-pwa-saved]");
  if (list) {
    var ul = list.querySelector("[data-pwa-list]");
    var empty = list.querySelector("[data-pwa-empty]");
    var render = function () {
      return lectureCaches().then(function (names) {
        return Promise.all(names.map(function (cacheName) {
          var pk = cacheName.slice(PREFIX.length);
          return caches.open(cacheName).then(function (cache) {
            return cache.match(location.origin + "/__meta__/" + pk);
          }).then(function (response) {
            return response ? response.json().then(function (meta) { meta.cache = cacheName; return meta; }) : null;
          });
        }));
      }).then(function (entries) {
        entries = entries.filter(Boolean).sort(function (a, b) { return b.saved - a.saved; });
        ul.textContent = "";
        empty.hidden = entries.length > 0;
        entries.forEach(function (meta) {
          var li = document.createElement("li");
          li.className = "list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2";
          li.dataset.testid = "pwa-saved-item";
          var link = document.createElement("a");
          link.href = meta.page;
          link.textContent = meta.title;
          var facts = document.createElement("span");
          facts.className = "small text-muted ms-2";
          facts.textContent = size(meta.bytes) + " · " + format(list.dataset.savedOn, { date: new Date(meta.saved).toLocaleDateString("vi-VN") });
          var left = document.createElement("div");
          left.append(link, facts);
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "btn btn-sm btn-outline-danger";
          remove.textContent = list.dataset.remove;
          remove.addEventListener("click", function () { caches.delete(meta.cache).then(render); });
          li.append(left, remove);
          ul.append(li);
          // SECURITY: a lecture retracted or moved out of this person's reach since is dropped.
          if (navigator.onLine && meta.files) {
            fetch(meta.files, { credentials: "same-origin" }).then(function (response) {
              if (response.status === 404) {
                caches.delete(meta.cache).then(render);
              }
            }).catch(function () {});
          }
        });
        list.dataset.state = "ready";
      });
    };
    render();
  }
})();
