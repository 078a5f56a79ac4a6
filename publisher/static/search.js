// Search over the published items without a server: search/months.js names the monthly parts of the index
// (search/YYYY-MM.js), each of which adds its items with SCS_SEARCH_ADD. Loaded with <script> tags, not fetch(),
// so it works from a file:// folder as well as over HTTP. Results are shown as text, never as markup.
(function () {
  "use strict";
  var MAX_SHOWN = 100;
  var items = []; // [page, headline, date, summary, words]
  window.SCS_SEARCH_ADD = function (entries) {
    Array.prototype.push.apply(items, entries);
  };

  function tokens(text) {
    return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  }

  function matches(query) {
    var wanted = tokens(query);
    if (!wanted.length) return [];
    return items.filter(function (entry) {
      var words = entry[4].split(" ");
      return wanted.every(function (word) {
        return words.some(function (candidate) { return candidate.indexOf(word) === 0; });
      });
    });
  }

  function loadIndex(done) {
    var months = window.SCS_SEARCH_MONTHS || [];
    var next = 0;
    (function loadNext() {
      if (next >= months.length) { done(); return; }
      var script = document.createElement("script");
      script.src = "search/" + months[next++] + ".js";
      script.onload = loadNext;
      script.onerror = loadNext;
      document.head.appendChild(script);
    })();
  }

  function show(query) {
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    list.textContent = "";
    var found = matches(query);
    if (!tokens(query).length) { status.textContent = "Type a word and press Search."; return; }
    status.textContent = found.length + (found.length === 1 ? " item matches " : " items match ") + "“" + query + "”" +
      (found.length > MAX_SHOWN ? "; the newest " + MAX_SHOWN + " are shown." : ".");
    found.slice(0, MAX_SHOWN).forEach(function (entry) {
      var li = document.createElement("li");
      var time = document.createElement("time");
      time.textContent = entry[2];
      var link = document.createElement("a");
      link.className = "result";
      link.href = entry[0];
      link.textContent = entry[1];
      var summary = document.createElement("p");
      summary.textContent = entry[3];
      li.append(time, " ", link, summary);
      list.appendChild(li);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("search-form");
    var input = document.getElementById("q");
    var status = document.getElementById("search-status");
    status.textContent = "Loading the index…";
    loadIndex(function () {
      var query = new URLSearchParams(window.location.search).get("q") || "";
      input.value = query;
      show(query);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        show(input.value);
      });
    });
  });
})();
