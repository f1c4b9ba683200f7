/* Shared accessibility behaviour (issue 16, items 3 and 4), loaded on every page:
   - a failed form's error summary receives focus, and its links focus the field they name;
   - text that an htmx swap brings in marked data-announce (a result count, a check result) is
     read out through the page's live region #live-status. */
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var label = field.id && document.querySelector("label[for='" + field.id + "']");
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    (legend || label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  var lastSaid = "";
  function announce(root) {
    var region = document.getElementById("live-status");
    if (!region) return;
    var items = root.querySelectorAll ? root.querySelectorAll("[data-announce]") : [];
    var said = [];
    if (root.matches && root.matches("[data-announce]")) said.push(root.textContent);
    items.forEach(function (el) { said.push(el.textContent); });
    var text = said.join(" ").replace(/\s+/g, " ").trim();
    if (!text || text === lastSaid) return;
    lastSaid = text;
    // Emptied first so that the same sentence said twice in a row is read again.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary(document);
    document.querySelectorAll("[data-announce]").forEach(function (el) {
      lastSaid = el.textContent.replace(/\s+/g, " ").trim();
    });
  });
  // A search the person asked for is always answered, even with the same count as before;
  // a panel that polls on its own speaks only when what it says has changed.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var config = event.detail && event.detail.requestConfig;
    if (config && config.triggeringEvent) lastSaid = "";
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (!target) return;
    announce(target.isConnected ? target : document.body);
    focusSummary(target.isConnected ? target : document);
  });
})();
