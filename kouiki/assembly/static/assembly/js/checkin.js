/*
 * MEM-G4 総会当日の受付: the venue's check-in page (backoffice/assembly/checkin.html).
 *
 * - A USB QR reader types the code and Enter into the focused input, like a keyboard: the form's
 *   submit is sent with fetch, the input is emptied and focused again at once, so the next scan can
 *   follow while the answer is on its way. Scans are sent one after the other, in order.
 * - The camera mode decodes in the browser: BarcodeDetector where the browser has it, else the
 *   vendored jsQR (/static/vendor/jsqr/), loaded only then. Camera access needs https or localhost.
 * - The count of arrivals is polled every few seconds, and refreshed after each check-in.
 * Without this script the form still works as a plain POST that renders the whole page.
 */
(function () {
  "use strict";

  var POLL_MS = 5000;
  var SCAN_MS = 250;
  var SAME_CODE_MS = 3000; // the camera sees the same ticket several times a second
  var MAX_WIDTH = 640; // frames given to jsQR are scaled down to this width

  var form = document.getElementById("checkin-form");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[name=code]");
  var result = document.getElementById("checkin-result");
  var counts = document.getElementById("checkin-counts");
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var cameraArea = document.getElementById("camera-area");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var statusLine = document.getElementById("camera-status");

  var queue = Promise.resolve();
  var stream = null;
  var detector = null;
  var lastCode = "";
  var lastAt = 0;

  function replaceContent(element, html) {
    // The fragments are rendered (and escaped) by Django templates on our own server.
    var template = document.createElement("template");
    template.innerHTML = html;
    element.replaceChildren(template.content);
  }

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function refreshCounts() {
    return fetch(counts.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.ok) {
          return response.text().then(function (html) {
            replaceContent(counts, html);
          });
        }
        return undefined;
      })
      .catch(function () {
        /* the next poll tries again */
      });
  }

  function send(code) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("code", code);
    return fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        replaceContent(result, html);
        return refreshCounts();
      })
      .catch(function (error) {
        var box = document.createElement("div");
        box.className = "checkin-result notice notice--error";
        box.dataset.outcome = "error";
        box.textContent =
          "受付できませんでした(通信エラー: " + error.message + ")。画面を再読み込みしてからもう一度読み取ってください。";
        result.replaceChildren(box);
      });
  }

  function submitCode(code) {
    code = (code || "").trim();
    if (!code) {
      return;
    }
    queue = queue.then(function () {
      return send(code);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value;
    input.value = "";
    input.focus();
    submitCode(code);
  });

  window.setInterval(function () {
    if (!document.hidden) {
      refreshCounts();
    }
  }, POLL_MS);

  // --- camera ---------------------------------------------------------------------------------

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function loadJsQR() {
    if (window.jsQR) {
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = startButton.dataset.jsqr;
      script.onload = function () {
        resolve();
      };
      script.onerror = function () {
        reject(new Error("QRコードの読み取り部品を読み込めませんでした。"));
      };
      document.head.appendChild(script);
    });
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      })
      .catch(function () {
        return null;
      });
  }

  function decodeFrame() {
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      });
    }
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) {
      return Promise.resolve(null);
    }
    var scale = Math.min(1, MAX_WIDTH / width);
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : null);
  }

  function scan() {
    if (!stream) {
      return;
    }
    decodeFrame()
      .then(function (code) {
        var now = Date.now();
        if (!code) {
          return;
        }
        // A ticket held in front of the camera is sent once; again only after it was out of view.
        var seenJustNow = code === lastCode && now - lastAt < SAME_CODE_MS;
        lastCode = code;
        lastAt = now;
        if (!seenJustNow) {
          submitCode(code);
        }
      })
      .catch(function () {
        /* a frame that could not be read: try the next one */
      })
      .then(function () {
        window.setTimeout(scan, SCAN_MS);
      });
  }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    cameraArea.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    setStatus("");
    input.focus();
  }

  function startCamera() {
    setStatus("カメラを起動しています…");
    makeDetector()
      .then(function (found) {
        detector = found;
        return detector ? null : loadJsQR();
      })
      .then(function () {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        cameraArea.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play();
      })
      .then(function () {
        setStatus("受付票のQRコードをカメラに向けてください。");
        scan();
      })
      .catch(function (error) {
        stopCamera();
        setStatus("カメラを利用できません(" + (error && error.message ? error.message : error) + ")。");
      });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    startButton.addEventListener("click", startCamera);
    stopButton.addEventListener("click", stopCamera);
  }
})();
