/* Resumable upload of a lecture file: Uppy's AwsS3 plugin speaking S3 multipart to our Django
 * endpoints. The server answers signPart with either a presigned S3 URL (production) or its own
 * part URL (embedded default); this client does not need to know which. */
(function () {
  "use strict";
  var el = document.getElementById("uploader");
  if (!el || !window.Uppy) return;

  // Every limit comes from the page, which renders it from the server's settings
  // (submissions/templatetags/lecture_files.py): nothing here for an operator to change.
  var createUrl = el.dataset.createUrl;
  var resumeUrl = el.dataset.resumeUrl;
  var detailUrl = el.dataset.detailUrl;
  var versionId = el.dataset.version;
  var maxBytes = parseInt(el.dataset.maxBytes, 10);
  var minPartBytes = parseInt(el.dataset.minPartBytes, 10);
  var maxParts = parseInt(el.dataset.maxParts, 10);
  var parallelParts = parseInt(el.dataset.parallelParts, 10);
  var accept = el.dataset.accept ? el.dataset.accept.split(",") : null;
  var progress = document.querySelector("[data-testid=upload-progress]");
  var bar = progress.querySelector(".progress-bar");
  var message = document.querySelector("[data-testid=upload-message]");
  var language = (document.documentElement.lang || "vi").slice(0, 2);

  // The page's own sentences, translated by the server (data-msg-* attributes).
  function say(name, params) {
    var text = el.getAttribute("data-msg-" + name) || "";
    return text.replace(/%\((\w+)\)s/g, function (all, key) {
      return params && key in params ? String(params[key]) : all;
    }).replace(/%%/g, "%");
  }

  // An unfinished upload is remembered per file (draft version, name, size, modification time),
  // so that after a reload, a closed tab or a browser restart the same file picked again
  // continues from the parts the server already holds.
  var STORE = "lecture-upload:";
  function fingerprint(file) {
    var data = file.data || {};
    return STORE + [versionId, file.name, file.size, data.lastModified || ""].join("|");
  }
  function remembered(file) {
    try { return JSON.parse(window.localStorage.getItem(fingerprint(file)) || "null"); } catch (e) { return null; }
  }
  function remember(file, session) {
    try { window.localStorage.setItem(fingerprint(file), JSON.stringify({ uploadId: session.uploadId, key: session.key })); } catch (e) { /* private mode */ }
  }
  function forget(file) {
    try { window.localStorage.removeItem(fingerprint(file)); } catch (e) { /* private mode */ }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  // Embedded back end: the server names where parts go (partUrl + n + "/"), so no part needs a
  // signing request; S3 sessions have no partUrl and sign each part (a presigned URL).
  var partUrls = {};
  function notePartUrl(session) {
    if (session && session.partUrl) partUrls[session.uploadId] = session.partUrl;
  }

  function sessionUrl(uploadId, tail) {
    return createUrl + encodeURIComponent(uploadId) + "/" + (tail || "");
  }

  function call(method, url, body, signal) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      signal: signal,
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) return {};
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.error || say("server-error", { status: response.status }));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function isSameOrigin(url) {
    return url.charAt(0) === "/" || url.indexOf(window.location.origin + "/") === 0;
  }

  function setProgress(percent) {
    progress.hidden = false;
    var value = Math.max(0, Math.min(100, Math.round(percent)));
    progress.setAttribute("aria-valuenow", String(value));
    bar.style.width = value + "%";
    bar.textContent = value + "%";
  }

  // Uppy speaks the page's language: its Vietnamese locale (static/vendor/uppy-locales), with a
  // few of our own words on top; English is Uppy's default.
  function widgetLocale() {
    if (language !== "vi" || !Uppy.locales || !Uppy.locales.vi_VN) return undefined;
    var base = Uppy.locales.vi_VN;
    var strings = Object.assign({}, base.strings, {
      exceedsSize: "%{file} vượt quá dung lượng tối đa %{size}",
      youCanOnlyUploadFileTypes: "Chỉ nhận các loại tệp: %{types}",
      uploadComplete: "Đã tải lên xong",
      uploadFailed: "Tải lên thất bại",
      dropPasteFiles: "Kéo thả tệp vào đây hoặc %{browseFiles}",
      browseFiles: "chọn tệp từ máy",
      removeFile: "Bỏ tệp",
    });
    return { strings: strings, pluralize: base.pluralize };
  }

  var options = {
    id: "lecture-file",
    autoProceed: false,
    restrictions: { maxNumberOfFiles: 1, maxFileSize: maxBytes, allowedFileTypes: accept },
  };
  var locale = widgetLocale();
  if (locale) options.locale = locale;
  var uppy = new Uppy.Uppy(options);

  uppy.use(Uppy.Dashboard, {
    inline: true,
    target: el,
    height: 260,
    width: "100%",
    proudlyDisplayPoweredByUppy: false,
    showProgressDetails: true,
    note: say("max", { size: el.dataset.maxSize }),
  });

  uppy.use(Uppy.AwsS3, {
    shouldUseMultipart: true,
    limit: parallelParts,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    // S3's floor for a part and its ceiling on the number of parts.
    getChunkSize: function (file) { return Math.max(minPartBytes, Math.ceil(file.size / maxParts)); },
    createMultipartUpload: function (file) {
      return call("POST", createUrl, {
        version: versionId,
        filename: file.name,
        type: file.type || "",
        size: file.size,
      }).then(function (session) {
        notePartUrl(session);
        remember(file, session);
        return session;
      });
    },
    signPart: function (file, opts) {
      var direct = partUrls[opts.uploadId];
      if (direct) return Promise.resolve({ url: direct + opts.partNumber + "/", headers: { "X-CSRFToken": csrfToken() } });
      return call("GET", sessionUrl(opts.uploadId, "parts/" + opts.partNumber + "/sign/"), undefined, opts.signal)
        .then(function (data) {
          var headers = data.headers || {};
          // Our own part URL needs the CSRF header; a presigned S3 URL must not get it.
          if (isSameOrigin(data.url)) headers["X-CSRFToken"] = csrfToken();
          return { url: data.url, headers: headers };
        });
    },
    listParts: function (file, opts) {
      return call("GET", sessionUrl(opts.uploadId, "parts/"), undefined, opts.signal);
    },
    completeMultipartUpload: function (file, opts) {
      var parts = opts.parts.map(function (p) { return { PartNumber: p.PartNumber, ETag: p.ETag }; });
      return call("POST", sessionUrl(opts.uploadId, "complete/"), { parts: parts }, opts.signal);
    },
    abortMultipartUpload: function (file, opts) {
      return call("DELETE", sessionUrl(opts.uploadId, ""), undefined, opts.signal);
    },
  });

  // Before the upload starts: ask the server for an unfinished upload of the same file. When
  // there is one, Uppy gets its {uploadId, key}, lists the parts already stored and skips them.
  var resumed = {};
  function findUnfinished(file) {
    if (resumed[file.id]) return resumed[file.id];
    var saved = remembered(file) || {};
    var query = "?version=" + encodeURIComponent(versionId) + "&filename=" + encodeURIComponent(file.name) +
      "&size=" + encodeURIComponent(file.size) + "&upload=" + encodeURIComponent(saved.uploadId || "");
    resumed[file.id] = call("GET", resumeUrl + query).then(function (session) {
      if (!session || !session.uploadId || !uppy.getFile(file.id)) return null;
      uppy.setFileState(file.id, { s3Multipart: { uploadId: session.uploadId, key: session.key } });
      notePartUrl(session);
      remember(file, session);
      return session;
    }).catch(function () { return null; });
    return resumed[file.id];
  }
  uppy.on("file-added", function (file) {
    findUnfinished(file).then(function (session) {
      if (!session || !session.uploaded) return;
      message.textContent = say("kept", { percent: Math.floor((100 * session.uploaded) / session.size) });
      message.className = "small mt-1 text-info-emphasis";
      message.setAttribute("data-kept", String(session.uploaded));
      setProgress((100 * session.uploaded) / session.size);
    });
  });
  uppy.on("file-removed", function (file) { delete resumed[file.id]; });
  uppy.addPreProcessor(function (fileIDs) {
    return Promise.all(fileIDs.map(function (id) { return findUnfinished(uppy.getFile(id)); }));
  });

  uppy.on("upload", function () {
    if (!message.hasAttribute("data-kept")) {
      message.textContent = "";
      message.className = "small mt-1";
      setProgress(0);
    }
  });
  uppy.on("progress", setProgress);
  uppy.on("upload-error", function (file, error) {
    message.textContent = (error && error.message) || say("failed");
    message.className = "small mt-1 text-danger";
  });
  uppy.on("complete", function (result) {
    if (!result.successful || !result.successful.length) return;
    result.successful.forEach(forget);
    setProgress(100);
    bar.classList.add("bg-success");
    // The server says whether the check has begun or will start shortly (broker busy or down).
    var done = result.successful[0].response;
    var said = done && done.body && done.body.message;
    message.textContent = say("done") + " " + (said || say("checking"));
    message.className = "small mt-1 text-success";
    var panel = document.getElementById("status-panel");
    if (window.htmx && panel) {
      window.htmx.ajax("GET", detailUrl, { target: panel, swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  });

  // The status panel polls while the check runs and stops when it is over; the message under
  // the widget then says how the check ended instead of "checking…" forever.
  document.body.addEventListener("htmx:afterSwap", function () {
    var panel = document.getElementById("status-panel");
    if (!panel || panel.hasAttribute("hx-trigger") || !message.textContent) return;
    var status = panel.querySelector("[data-testid=check-status]");
    if (!status) return;
    message.textContent = say("checked", { result: status.textContent.trim() });
    message.removeAttribute("data-kept");
  });
})();
