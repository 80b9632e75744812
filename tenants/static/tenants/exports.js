// The exports page refreshes its rows while an export is being prepared: it polls the small JSON of
// /exports/status/ every 3 seconds and stops once none is pending or running.
(function () {
  var progress = document.getElementById("export-progress");
  if (!progress) { return; }
  var url = progress.dataset.statusUrl;

  function render(data) {
    data.exports.forEach(function (row) {
      var tr = document.querySelector('tr[data-export="' + row.id + '"]');
      if (!tr) { return; }
      tr.querySelector('[data-role="status"]').textContent = row.status_label;
      var cell = tr.querySelector('[data-role="download"]');
      if (row.download_url && !cell.querySelector("a")) {
        var link = document.createElement("a");
        link.href = row.download_url;
        link.textContent = row.download_label;
        link.setAttribute("data-testid", "export-download");
        cell.appendChild(link);
      }
    });
    progress.hidden = !data.in_progress;
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        render(data);
        if (data.in_progress) { setTimeout(poll, 3000); }
      })
      .catch(function () { setTimeout(poll, 10000); });
  }

  if (!progress.hidden) { setTimeout(poll, 3000); }
})();
