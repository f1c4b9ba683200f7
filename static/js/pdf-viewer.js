/* Shows PDFs in the page with pdf.js (static/vendor/pdfjs): every page as a canvas.
 *
 * Load as a module: <script type="module" src="{% static 'js/pdf-viewer.js' %}"></script>
 * and mark each viewer:
 *
 *   <div data-pdf-viewer
 *        data-src="URL of the PDF"                       (required)
 *        data-worker-src="{% static 'vendor/pdfjs/pdf.worker.min.mjs' %}"   (required)
 *        data-pdfjs-src="{% static 'vendor/pdfjs/pdf.min.mjs' %}"   (optional; next to this file)
 *        data-page-label="Trang {page} / {count}"        (each canvas's aria-label)
 *        data-count-text="{count} trang"                 (the page counter)
 *        ({page} and {count} may also be written %(page)s and %(count)s, as gettext does)
 *        data-loading-text="Đang tải…"                   (optional)
 *        data-error-text="Không hiển thị được tệp PDF."> (shown when the PDF cannot be shown)
 *   </div>
 *
 * Whatever the container holds (a "loading" line for pages without scripts) is replaced when
 * the viewer starts. Every text comes from the page (its language); none is written here. When the document is
 * loaded the container gets data-page-count and data-state="ready" ("error" on failure). The
 * first pages are drawn at once, the others when they come near the viewport.
 *
 * Safety: no PDF JavaScript ever runs (the scripting sandbox is not vendored and
 * enableScripting is off), no eval (isEvalSupported: false), no cross-site credentials.
 */
const EAGER_PAGES = 3;
const started = new WeakSet();

// "{page}" or gettext's "%(page)s": both are filled in.
function fill(template, values) {
  return (template || "").replace(/\{(\w+)\}|%\((\w+)\)s/g, (whole, brace, percent) => {
    const name = brace || percent;
    return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}

async function loadLibrary(container) {
  const src = container.dataset.pdfjsSrc || new URL("../vendor/pdfjs/pdf.min.mjs", import.meta.url).href;
  const lib = await import(src);
  if (!lib.GlobalWorkerOptions.workerSrc) {
    lib.GlobalWorkerOptions.workerSrc = container.dataset.workerSrc;
  }
  return lib;
}

function statusLine(container) {
  let status = container.querySelector(":scope > .pdf-viewer-status");
  if (!status) {
    status = document.createElement("p");
    status.className = "pdf-viewer-status small text-body-secondary mb-2";
    status.setAttribute("aria-live", "polite");
    container.prepend(status);
  }
  return status;
}

async function drawPage(pdf, number, canvas, width) {
  const page = await pdf.getPage(number);
  const base = page.getViewport({ scale: 1 });
  const scale = width / base.width;
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: scale * ratio });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.style.width = "100%";
  canvas.style.height = "auto";
  canvas.style.aspectRatio = `${base.width} / ${base.height}`;
  await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
  canvas.dataset.rendered = "true";
  page.cleanup();
}

async function show(container) {
  if (started.has(container)) {
    return;
  }
  started.add(container);
  container.replaceChildren();
  const status = statusLine(container);
  container.dataset.state = "loading";
  status.textContent = container.dataset.loadingText || "";
  try {
    const lib = await loadLibrary(container);
    const pdf = await lib.getDocument({
      url: container.dataset.src,
      isEvalSupported: false,
      enableScripting: false,
      enableXfa: false,
      withCredentials: false,
      // With range requests only the pages drawn are fetched; the rest on scrolling.
      disableAutoFetch: true,
      stopAtErrors: false,
    }).promise;
    const count = pdf.numPages;
    const first = (await pdf.getPage(1)).getViewport({ scale: 1 });
    const width = Math.max(container.clientWidth, 320);
    const pages = document.createElement("div");
    pages.className = "pdf-viewer-pages d-flex flex-column gap-3";
    const canvases = [];
    for (let number = 1; number <= count; number += 1) {
      const canvas = document.createElement("canvas");
      canvas.className = "pdf-viewer-page border bg-white";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", fill(container.dataset.pageLabel, { page: number, count }));
      canvas.dataset.page = String(number);
      // Until drawn, a blank page of the first page's shape keeps the layout still.
      canvas.style.width = "100%";
      canvas.style.aspectRatio = `${first.width} / ${first.height}`;
      pages.append(canvas);
      canvases.push(canvas);
    }
    container.append(pages);
    container.dataset.pageCount = String(count);
    status.textContent = fill(container.dataset.countText || "{count}", { count });

    const draw = (canvas) => {
      if (canvas.dataset.drawing) {
        return;
      }
      canvas.dataset.drawing = "true";
      drawPage(pdf, Number(canvas.dataset.page), canvas, width).catch((error) => {
        canvas.dataset.error = "true";
        console.error("pdf-viewer: page", canvas.dataset.page, error);
      });
    };
    canvases.slice(0, EAGER_PAGES).forEach(draw);
    const rest = canvases.slice(EAGER_PAGES);
    if (rest.length && "IntersectionObserver" in window) {
      const observer = new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (entry.isIntersecting) {
              observer.unobserve(entry.target);
              draw(entry.target);
            }
          }
        },
        { rootMargin: "800px 0px" }
      );
      rest.forEach((canvas) => observer.observe(canvas));
    } else {
      rest.forEach(draw);
    }
    container.dataset.state = "ready";
  } catch (error) {
    console.error("pdf-viewer:", error);
    container.dataset.state = "error";
    status.textContent = container.dataset.errorText || "";
    status.setAttribute("role", "alert");
  }
}

function showAll(root) {
  const scope = root && root.querySelectorAll ? root : document;
  if (scope.matches && scope.matches("[data-pdf-viewer]")) {
    show(scope);
  }
  scope.querySelectorAll("[data-pdf-viewer]").forEach(show);
}

showAll(document);
// Viewers that htmx swaps into the page later.
document.addEventListener("htmx:load", (event) => showAll(event.detail && event.detail.elt));
