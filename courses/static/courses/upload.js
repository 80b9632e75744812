// Direct browser → S3 upload (SPEC R20): ask the API to sign, PUT the bytes with the signed
// Content-Type, confirm, then submit the form with the upload's id.
(function () {
  // Strings come from the JavaScript catalogue (/jsi18n/, loaded before this file) in the page's language.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) { return values[key]; });
  };
  function percent(n) {  // as the server writes it (mooc_platform.formatting): `12,5 %` in French
    return Number(n).toLocaleString(document.documentElement.lang || "en", {maximumFractionDigits: 1}) + "\u00a0%";
  }
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
  }
  async function api(url, body) {
    var r = await fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify(body || {})});
    var data = await r.json().catch(function () { return {}; });
    if (!r.ok) { throw new Error((data.error && data.error.message) || ("HTTP " + r.status)); }
    return data;
  }
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      var input = form.querySelector("input[type=file]");
      var status = form.querySelector("[data-upload-status]");
      var purpose = form.dataset.upload;
      if (purpose === "lesson") {
        var kind = form.querySelector("[name=kind]").value;
        if (kind !== "video" && kind !== "file") { return; }
        purpose = kind;
      }
      if (!input || !input.files.length || form.querySelector("[name=upload_id]").value) { return; }
      event.preventDefault();
      var file = input.files[0];
      try {
        status.textContent = interpolate(gettext("Uploading %(name)s…"), {name: file.name}, true);
        var signed = await api("/api/v1/uploads/", {purpose: purpose, filename: file.name,
          content_type: file.type || "application/octet-stream", size: file.size});
        if (signed.storage_warning) { status.textContent += " " + interpolate(gettext("(storage %(percent)s used)"), {percent: percent(signed.storage_warning)}, true); }
        if (signed.part_urls && signed.part_urls.length) {
          for (var i = 0; i < signed.part_urls.length; i++) {
            var part = file.slice(i * signed.part_size, (i + 1) * signed.part_size);
            var sent = await fetch(signed.part_urls[i], {method: "PUT", body: part});
            if (!sent.ok) { throw new Error(interpolate(gettext("Storage refused part %(part)s (HTTP %(status)s)."), {part: i + 1, status: sent.status}, true)); }
            status.textContent = interpolate(gettext("Uploading %(name)s… %(percent)s"), {name: file.name, percent: percent(Math.round(100 * (i + 1) / signed.part_urls.length))}, true);
          }
        } else {
          var put = await fetch(signed.url, {method: "PUT", headers: signed.headers, body: file});
          if (!put.ok) { throw new Error(interpolate(gettext("Storage refused the file (HTTP %(status)s)."), {status: put.status}, true)); }
        }
        await api("/api/v1/uploads/" + signed.id + "/confirm/");
        form.querySelector("[name=upload_id]").value = signed.id;
        status.textContent = gettext("Uploaded.");
        input.disabled = true;
        form.submit();
      } catch (err) {
        status.textContent = err.message;
        status.setAttribute("role", "alert");
      }
    });
  });
})();
