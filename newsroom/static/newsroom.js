// Keyboard shortcuts for the newsroom ("?" shows them). No inline scripts: the CSP allows only this file.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function help(show) {
    var box = document.getElementById("shortcuts");
    if (!box) return;
    box.hidden = show === undefined ? !box.hidden : !show;
    if (!box.hidden) document.getElementById("shortcuts-close").focus();
  }

  function go(id) {
    var link = document.getElementById(id);
    if (link) window.location.assign(link.href);
  }

  function press(id) {
    var button = document.getElementById(id);
    if (button) button.click();
  }

  // The queue: a selected row that j/k move and Enter/o open.
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.queue-row"));
  var selected = -1;
  function select(index) {
    if (!rows.length) return;
    if (selected >= 0) rows[selected].classList.remove("selected");
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows[selected].classList.add("selected");
    rows[selected].scrollIntoView({ block: "nearest" });
  }
  if (rows.length) select(0);

  var onNotice = !!document.getElementById("review-form");

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.metaKey) return;
    if (event.key === "Escape") {
      help(false);
      if (typing(event.target)) event.target.blur();
      return;
    }
    if (typing(event.target)) {
      if (onNotice && event.key === "Enter" && event.ctrlKey) {
        event.preventDefault();
        press("save");
      }
      return;
    }
    if (event.ctrlKey) return;
    var key = event.key;
    if (key === "?") { event.preventDefault(); help(); return; }
    if (onNotice) {
      var actions = { j: function () { go("next-notice"); }, k: function () { go("previous-notice"); },
                      u: function () { go("to-queue"); }, a: function () { press("approve"); },
                      r: function () { press("reject"); }, n: function () { press("needs-work"); },
                      e: function () { var h = document.getElementById("headline"); h.focus(); h.select(); } };
      if (actions[key]) { event.preventDefault(); actions[key](); }
      return;
    }
    if (rows.length) {
      if (key === "j") { event.preventDefault(); select(selected + 1); }
      else if (key === "k") { event.preventDefault(); select(selected - 1); }
      else if (key === "Enter" || key === "o") {
        event.preventDefault();
        rows[selected].querySelector("a.notice-link").click();
      }
    }
  });

  // Unsaved text survives a failed action: what the analyst types is kept in this tab's sessionStorage
  // until a save succeeds (the review version moves on), and put back if the page comes back without it
  // (an expired session, a lost connection, a refused form).
  var form = document.getElementById("review-form");
  if (form && window.sessionStorage) {
    var storageKey = "scs-draft-" + form.dataset.notice;
    var fields = { headline: document.getElementById("headline"), summary: document.getElementById("summary") };
    var version = form.elements.version.value;
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(storageKey) || "null"); } catch (error) { kept = null; }
    if (kept && kept.version === version) {
      if (kept.headline !== fields.headline.value || kept.summary !== fields.summary.value) {
        var before = { headline: fields.headline.value, summary: fields.summary.value };
        fields.headline.value = kept.headline;
        fields.summary.value = kept.summary;
        document.getElementById("restored").hidden = false;
        document.getElementById("discard-restored").addEventListener("click", function () {
          fields.headline.value = before.headline;
          fields.summary.value = before.summary;
          sessionStorage.removeItem(storageKey);
          document.getElementById("restored").hidden = true;
        });
      }
    } else if (kept) {
      sessionStorage.removeItem(storageKey);  // saved since (or someone else saved): nothing to put back
    }
    var keep = function () {
      sessionStorage.setItem(storageKey, JSON.stringify(
        { version: version, headline: fields.headline.value, summary: fields.summary.value }));
    };
    fields.headline.addEventListener("input", keep);
    fields.summary.addEventListener("input", keep);
  }

  var close = document.getElementById("shortcuts-close");
  if (close) close.addEventListener("click", function () { help(false); });

  // A click on a tag's evidence (or a legend entry) scrolls to the highlight and makes it blink.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.ev, a.legend-entry");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "center", behavior: "smooth" });
    target.classList.remove("flash");
    void target.offsetWidth;
    target.classList.add("flash");
    history.replaceState(null, "", link.getAttribute("href"));
  });
})();
