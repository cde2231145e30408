/* review report: sortable/searchable tables, the gap map's hover and filter, and the records
   behind each PRISMA count. Plain JavaScript, no libraries, no network. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var cellFilter = null; // {units: Set or null (a gap map of reports), reports: Set, label: string}

  function text(el) { return (el.textContent || "").replace(/\s+/g, " ").trim(); }
  function num(s) {
    var t = s.replace(/[,\s%]/g, "");
    return t !== "" && !isNaN(t) ? parseFloat(t) : null;
  }

  // ---- tables ------------------------------------------------------------------------------
  function setupTable(table) {
    var box = table.closest(".tablebox");
    var input = box ? box.querySelector("input.filter") : null;
    var shown = box ? box.querySelector(".shown") : null;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (r) { r._text = text(r).toLowerCase(); });
    function apply() {
      var q = input ? input.value.trim().toLowerCase() : "";
      var words = q ? q.split(/\s+/) : [];
      var visible = 0;
      rows.forEach(function (r) {
        var ok = words.every(function (w) { return r._text.indexOf(w) >= 0; });
        if (ok && cellFilter && table.id === "reports-table") ok = cellFilter.reports.has(r.dataset.id);
        if (ok && cellFilter && cellFilter.units && table.id === "overview-table") ok = cellFilter.units.has(r.dataset.id);
        r.classList.toggle("hidden", !ok);
        if (ok) visible++;
      });
      if (shown) shown.textContent = visible === rows.length ? rows.length + " rows" : visible + " of " + rows.length + " rows";
    }
    table._apply = apply;
    if (input) input.addEventListener("input", apply);
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var values = rows.map(function (r) { return text(r.cells[col] || r); });
        var numeric = values.every(function (v) { return v === "" || num(v) !== null; });
        var order = rows.map(function (r, i) { return i; });
        order.sort(function (a, b) {
          var x = values[a], y = values[b], c;
          if (numeric) c = (num(x) || 0) - (num(y) || 0);
          else c = x.localeCompare(y, undefined, {numeric: true, sensitivity: "base"});
          return c * dir || a - b;
        });
        rows = order.map(function (i) { return rows[i]; });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
    apply();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setupTable);

  // ---- gap map -----------------------------------------------------------------------------
  var tip = document.getElementById("tooltip");
  var chip = document.getElementById("active-filter");
  function cellInfo(cell) {
    var g = DATA.gap, i = +cell.dataset.row, j = +cell.dataset.col;
    var pids = g.members[i][j];
    if (g.per_report) return {row: g.rows[i], col: g.cols[j], units: null, reports: pids.slice()};
    var reports = [];
    pids.forEach(function (p) {
      (DATA.units[p] ? DATA.units[p].reports : []).forEach(function (r) {
        if (reports.indexOf(r) < 0) reports.push(r);
      });
    });
    return {row: g.rows[i], col: g.cols[j], units: pids, reports: reports};
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }
  function showTip(cell, x, y) {
    var info = cellInfo(cell);
    var html = "<h4>" + esc(info.row) + " × " + esc(info.col) + "</h4>";
    if (info.units) {
      html += "<strong>" + info.units.length + " " + esc(info.units.length === 1 ? DATA.gap.singular : DATA.gap.plural) + "</strong><ul>";
      info.units.forEach(function (p) { html += "<li>" + esc(DATA.units[p] ? DATA.units[p].name : p) + "</li>"; });
      html += "</ul>";
    }
    html += "<strong>" + info.reports.length + " report" + (info.reports.length === 1 ? "" : "s") + "</strong><ul>";
    info.reports.forEach(function (r) { html += "<li>" + esc(DATA.citations[r] || r) + "</li>"; });
    html += "</ul><em>Click to filter the tables.</em>";
    tip.innerHTML = html;
    tip.hidden = false;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 8);
    var top = y + 14 + h > window.innerHeight ? Math.max(8, y - h - 14) : y + 14;
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  function refilter() {
    ["reports-table", "overview-table"].forEach(function (id) {
      var t = document.getElementById(id);
      if (t && t._apply) t._apply();
    });
  }
  function setFilter(cell) {
    Array.prototype.forEach.call(document.querySelectorAll("svg .cell.active"), function (c) { c.classList.remove("active"); });
    if (!cell) {
      cellFilter = null;
      chip.hidden = true;
    } else {
      var info = cellInfo(cell);
      cell.classList.add("active");
      cellFilter = {units: info.units ? new Set(info.units) : null, reports: new Set(info.reports),
                    label: info.row + " × " + info.col};
      chip.querySelector("span").textContent = "Gap-map cell: " + cellFilter.label + " (" +
        (info.units ? info.units.length + " " + DATA.gap.plural + ", " : "") +
        info.reports.length + " reports)";
      chip.hidden = false;
    }
    refilter();
  }
  if (DATA.gap) {
    Array.prototype.forEach.call(document.querySelectorAll("svg.gapmap .cell"), function (cell) {
      cell.addEventListener("mousemove", function (e) { showTip(cell, e.clientX, e.clientY); });
      cell.addEventListener("mouseleave", function () { tip.hidden = true; });
      cell.addEventListener("focus", function () {
        var r = cell.getBoundingClientRect();
        showTip(cell, r.right, r.top);
      });
      cell.addEventListener("blur", function () { tip.hidden = true; });
      function toggle() {
        var same = cell.classList.contains("active");
        setFilter(same ? null : cell);
        if (!same) document.getElementById("overview").scrollIntoView({behavior: "smooth"});
      }
      cell.addEventListener("click", toggle);
      cell.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
    });
    document.getElementById("clear-filter").addEventListener("click", function () { setFilter(null); });
  }
  window.reviewReport = {filterByCell: function (i, j) {
    var cell = document.querySelector('svg.gapmap .cell[data-row="' + i + '"][data-col="' + j + '"]');
    setFilter(cell);
    return cell ? cellInfo(cell) : null;
  }, clearFilter: function () { setFilter(null); }};

  // ---- records behind a PRISMA count -------------------------------------------------------
  var explainData = null;
  function loadExplain() {
    if (explainData) return Promise.resolve(explainData);
    if (!DATA.explain) return Promise.reject(new Error("no records in this report"));
    if (typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser cannot unpack the record lists; use `review prisma explain KEY`"));
    }
    var bin = atob(DATA.explain), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(function (t) { explainData = JSON.parse(t); return explainData; });
  }
  function rowsFor(keys) {
    var seen = {}, out = [];
    keys.forEach(function (k) {
      var v = explainData.keys[k];
      while (typeof v === "string") v = explainData.keys[v];
      (v || []).forEach(function (pair) {
        if (seen[pair[0]]) return;
        seen[pair[0]] = true;
        var rec = explainData.records[pair[0]];
        out.push([rec[0], explainData.sources[rec[1]], rec[2], explainData.whys[pair[1]]]);
      });
    });
    return out;
  }
  var dialog = document.getElementById("explain");
  var current = [], limit = 500;
  function renderExplain() {
    var q = document.getElementById("explain-filter").value.trim().toLowerCase();
    var words = q ? q.split(/\s+/) : [];
    var match = current.filter(function (r) {
      var t = r.join(" ").toLowerCase();
      return words.every(function (w) { return t.indexOf(w) >= 0; });
    });
    var body = document.querySelector("#explain-table tbody");
    var frag = document.createDocumentFragment();
    match.slice(0, limit).forEach(function (r) {
      var tr = document.createElement("tr");
      r.forEach(function (v, i) {
        var td = document.createElement("td");
        if (i === 0) td.className = "id";
        td.textContent = v;
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(frag);
    document.getElementById("explain-shown").textContent = (match.length === current.length ? "" : match.length + " of ") + current.length + " records" + (match.length > limit ? " (first " + limit + " shown)" : "");
    document.getElementById("explain-more").hidden = match.length <= limit;
  }
  function openExplain(g) {
    var keys = JSON.parse(g.dataset.keys);
    document.getElementById("explain-title").textContent = g.dataset.label;
    document.getElementById("explain-cmd").textContent = "The same rows as: " + keys.map(function (k) { return "review prisma explain '" + k + "'"; }).join(" + ");
    document.getElementById("explain-filter").value = "";
    limit = 500;
    loadExplain().then(function () {
      current = rowsFor(keys);
      renderExplain();
    }, function (err) {
      current = [];
      document.querySelector("#explain-table tbody").textContent = "";
      document.getElementById("explain-shown").textContent = String(err.message || err);
    });
    if (!dialog.open) dialog.showModal();
  }
  Array.prototype.forEach.call(document.querySelectorAll("svg.prisma .count"), function (g) {
    g.addEventListener("click", function () { openExplain(g); });
    g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); openExplain(g); } });
  });
  document.getElementById("explain-filter").addEventListener("input", renderExplain);
  document.querySelector("#explain-more button").addEventListener("click", function () { limit = Infinity; renderExplain(); });
  // The same cell escaping as the tool's CSV writer (review/io/xlsx.py csv_safe, printable.py
  // cell_text): text a spreadsheet would run as a formula gets a leading ', control and
  // bidi-override characters show as \x1b / \u202e escapes.
  function csvCell(v) {
    v = String(v).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, function (c) {
      var n = c.charCodeAt(0);
      return n < 0x100 ? "\\x" + ("0" + n.toString(16)).slice(-2) : "\\u" + n.toString(16);
    });
    if (/^[=+\-@\t\r]/.test(v)) v = "'" + v;
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function csvText(rows) {
    var lines = [["record_id", "source", "title", "why"]].concat(rows).map(function (r) {
      return r.map(csvCell).join(",");
    });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }
  document.getElementById("explain-csv").addEventListener("click", function () {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([csvText(current)], {type: "text/csv"}));
    a.download = (document.getElementById("explain-title").textContent || "records").replace(/[^\w-]+/g, "-") + ".csv";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  window.reviewReport.explain = function (keys) {
    return loadExplain().then(function () { return rowsFor(keys); });
  };
  window.reviewReport.csv = function (keys) {
    return loadExplain().then(function () { return csvText(rowsFor(keys)); });
  };
})();
