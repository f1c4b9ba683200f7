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

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
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
          var error = new Error(data.error || "Lỗi máy chủ (" + response.status + ").");
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

  var uppy = new Uppy.Uppy({
    id: "lecture-file",
    autoProceed: false,
    restrictions: { maxNumberOfFiles: 1, maxFileSize: maxBytes, allowedFileTypes: accept },
    locale: {
      strings: {
        exceedsSize: "%{file} vượt quá dung lượng tối đa %{size}",
        youCanOnlyUploadFileTypes: "Chỉ nhận các loại tệp: %{types}",
        youCanOnlyUploadX: { 0: "Chỉ tải lên được %{smart_count} tệp", 1: "Chỉ tải lên được %{smart_count} tệp" },
        uploadComplete: "Đã tải lên xong",
        uploadFailed: "Tải lên thất bại",
        uploading: "Đang tải lên",
        paused: "Tạm dừng",
        retry: "Thử lại",
        retryUpload: "Thử tải lại",
        resumeUpload: "Tiếp tục",
        pauseUpload: "Tạm dừng",
        cancel: "Huỷ",
        cancelUpload: "Huỷ tải lên",
        uploadXFiles: { 0: "Tải lên %{smart_count} tệp", 1: "Tải lên %{smart_count} tệp" },
        dataUploadedOfTotal: "%{complete} / %{total}",
        xTimeLeft: "còn %{time}",
        filesUploadedOfTotal: { 0: "%{complete} / %{smart_count} tệp", 1: "%{complete} / %{smart_count} tệp" },
        dropPasteFiles: "Kéo thả tệp vào đây hoặc %{browseFiles}",
        browseFiles: "chọn tệp từ máy",
        xFilesSelected: { 0: "Đã chọn %{smart_count} tệp", 1: "Đã chọn %{smart_count} tệp" },
        removeFile: "Bỏ tệp",
        done: "Xong",
        back: "Quay lại",
        addMore: "Thêm tệp",
        complete: "Hoàn tất",
      },
    },
  });

  uppy.use(Uppy.Dashboard, {
    inline: true,
    target: el,
    height: 260,
    width: "100%",
    proudlyDisplayPoweredByUppy: false,
    showProgressDetails: true,
    note: "Tối đa " + el.dataset.maxSize,
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
      });
    },
    signPart: function (file, opts) {
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

  uppy.on("upload", function () {
    message.textContent = "";
    message.className = "small mt-1";
    setProgress(0);
  });
  uppy.on("progress", setProgress);
  uppy.on("upload-error", function (file, error) {
    message.textContent = (error && error.message) || "Tải lên thất bại.";
    message.className = "small mt-1 text-danger";
  });
  uppy.on("complete", function (result) {
    if (!result.successful || !result.successful.length) return;
    setProgress(100);
    bar.classList.add("bg-success");
    // The server says whether the check has begun or will start shortly (broker busy or down).
    var done = result.successful[0].response;
    var said = done && done.body && done.body.message;
    message.textContent = "Đã tải lên xong. " + (said || "Hệ thống đang kiểm tra tệp…");
    message.className = "small mt-1 text-success";
    var panel = document.getElementById("status-panel");
    if (window.htmx && panel) {
      window.htmx.ajax("GET", detailUrl, { target: panel, swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  });
})();
