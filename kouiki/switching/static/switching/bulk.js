// The progress bar of a bulk file's page (templates/switching/bulk_file.html): polls the file's
// progress endpoint every 2 seconds while a job runs and moves the bar; once it has finished,
// reloads the page to show the result. Without script, the page's 更新 link does the same.
(function () {
  "use strict";
  var section = document.getElementById("bulk-progress");
  if (!section || section.dataset.finished === "1") {
    return;
  }
  var bar = document.getElementById("bulk-progress-bar");
  var text = document.getElementById("bulk-progress-text");
  var state = document.getElementById("bulk-state");
  var url = section.dataset.url;
  var format = new Intl.NumberFormat("ja-JP");

  function show(data) {
    bar.max = Math.max(data.of, 1);
    bar.value = data.done;
    bar.textContent = data.percent + "%";
    text.textContent = format.format(data.done) + " / " + format.format(data.of) + "行（" + data.percent + "%）";
    state.textContent = data.state_label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.setTimeout(function () { window.location.reload(); }, 800);
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
