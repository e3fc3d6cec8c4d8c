/* The report's tables, drawn from data (pages/reports.py, report-tables): a year's report holds
   a few thousand cells, which as one Dash component each took the browser many seconds. Each
   table goes into its box (#<id>-box) as <table id="<id>" class="table table-sm">; every cell is
   set as text (textContent), never as markup, so what visitors typed stays text. */
window.dash_clientside = Object.assign({}, window.dash_clientside);
window.dash_clientside.hallq = Object.assign({}, window.dash_clientside.hallq, {
  drawTables: function (tables) {
    if (!tables) { return window.dash_clientside.no_update; }
    Object.keys(tables).forEach(function (id) {
      var spec = tables[id];
      var box = document.getElementById(id + "-box");
      if (!box) { return; }
      var table = document.createElement("table");
      table.id = id;
      table.className = "table table-sm" + (spec.hover ? " table-hover" : "");
      var head = table.createTHead().insertRow();
      spec.heads.forEach(function (text) {
        var th = document.createElement("th");
        th.textContent = text;
        head.appendChild(th);
      });
      var body = table.createTBody();
      var columns = spec.columnClass || [];
      spec.rows.forEach(function (row, n) {
        var tr = body.insertRow();
        if (spec.rowClass && spec.rowClass[n]) { tr.className = spec.rowClass[n]; }
        row.forEach(function (text, i) {
          var td = tr.insertCell();
          td.textContent = text;
          if (columns[i]) { td.className = columns[i]; }
        });
      });
      box.replaceChildren(table);
    });
    return Date.now();
  }
});
