/* A page still being computed: poll its job, show the stage, reload when it is done. */
(function () {
  "use strict";
  var box = document.getElementById("pending");
  if (!box) { return; }
  var url = box.getAttribute("data-poll");
  var stage = document.getElementById("pending-stage");
  var seconds = document.getElementById("pending-seconds");
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job || job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        stage.textContent = job.stage;
        seconds.textContent = job.running_s;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
