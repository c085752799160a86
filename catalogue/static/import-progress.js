// The import page while a job runs: asks its status route every second and shows the count; when the
// job moves on (a new phase, checked, done, failed) the page is loaded again, in the reader's language.
(function () {
  "use strict";
  var script = document.currentScript;
  var section = document.querySelector(".import-job[data-status-url]");
  if (!section || ["queued", "checking", "running"].indexOf(section.dataset.status) < 0) return;
  var count = document.getElementById("import-count");
  var bar = document.getElementById("import-bar");
  var template = (script && script.dataset.of) || "{done} of {total}";
  function number(n) { return Number(n).toLocaleString(document.documentElement.lang || undefined); }
  function poll() {
    fetch(section.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 2000); return; }
        if (job.status !== section.dataset.status || job.phase !== section.dataset.phase) {
          window.location.reload();
          return;
        }
        if (count) {
          count.textContent = job.total ? template.replace("{done}", number(job.done)).replace("{total}", number(job.total))
                                        : number(job.done);
        }
        if (bar && job.total) { bar.max = job.total; bar.value = job.done; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 1000);
})();
