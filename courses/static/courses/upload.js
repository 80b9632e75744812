// Direct browser → S3 upload (SPEC R20): ask the API to sign, PUT the bytes with the signed Content-Type (one PUT,
// or one per part above the multipart threshold), confirm; the form then carries the upload's id.
// Every size reports its progress in percent (XHR upload events, part by part for multipart uploads), the form's
// submit buttons stay disabled until the upload is done, and a failed upload offers "Retry", which resumes where it
// failed (the same signature, the parts already sent kept). The lesson editor (editor.js) uploads its images
// through `window.moocUploads` too.
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
  // One PUT with upload progress: `onProgress(bytesSent)`; resolves on 2xx, rejects with a readable message.
  function put(url, body, headers, onProgress, failure) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PUT", url);
      Object.keys(headers || {}).forEach(function (name) {
        if (name.toLowerCase() !== "content-length") { xhr.setRequestHeader(name, headers[name]); }
      });
      xhr.upload.addEventListener("progress", function (e) { if (e.lengthComputable) { onProgress(e.loaded); } });
      xhr.addEventListener("load", function () {
        if (xhr.status >= 200 && xhr.status < 300) { resolve(); } else { reject(new Error(failure(xhr.status))); }
      });
      xhr.addEventListener("error", function () { reject(new Error(failure(0))); });
      xhr.addEventListener("abort", function () { reject(new Error(failure(0))); });
      xhr.send(body);
    });
  }

  // An upload of one file; `run()` again after a failure resumes it.
  function Upload(file, purpose, extra, onProgress) {
    this.file = file; this.purpose = purpose; this.extra = extra || {}; this.onProgress = onProgress;
    this.signed = null; this.partsDone = 0; this.sent = false;
  }
  Upload.prototype.progress = function (bytes) {
    this.onProgress(this.file.size ? Math.min(100, Math.floor(100 * bytes / this.file.size)) : 100);
  };
  Upload.prototype.run = async function () {
    var self = this, file = this.file;
    if (!this.signed) {
      var body = {purpose: this.purpose, filename: file.name, content_type: file.type || "application/octet-stream",
                  size: file.size};
      Object.keys(this.extra).forEach(function (k) { body[k] = self.extra[k]; });
      this.signed = await api("/api/v1/uploads/", body);
    }
    var s = this.signed;
    if (s.part_urls && s.part_urls.length) {
      while (this.partsDone < s.part_urls.length) {
        var n = this.partsDone, start = n * s.part_size;
        await put(s.part_urls[n], file.slice(start, start + s.part_size), {}, function (loaded) {
          self.progress(start + loaded);
        }, function (status) {
          return interpolate(gettext("Storage refused part %(part)s (HTTP %(status)s)."), {part: n + 1, status: status}, true);
        });
        this.partsDone = n + 1;
        this.progress(Math.min(file.size, (n + 1) * s.part_size));
      }
    } else if (!this.sent) {
      await put(s.url, file, s.headers, function (loaded) { self.progress(loaded); }, function (status) {
        return interpolate(gettext("Storage refused the file (HTTP %(status)s)."), {status: status}, true);
      });
      this.sent = true;
      this.progress(file.size);
    }
    await api("/api/v1/uploads/" + s.id + "/confirm/");
    return s;
  };

  // The upload box of a form: progress bar, percentage, retry; the submit buttons disabled while an upload runs.
  function Controller(form) {
    this.form = form;
    this.box = form.querySelector("[data-upload-box]");
    this.bar = form.querySelector("[data-upload-progress]");
    this.status = form.querySelector("[data-upload-status]");
    this.retry = form.querySelector("[data-upload-retry]");
    this.pending = 0;
    this.current = null;
    var self = this;
    if (this.retry) {
      this.retry.addEventListener("click", function () { if (self.current) { self.go(self.current); } });
    }
  }
  Controller.prototype.submits = function () {
    return this.form.querySelectorAll("button:not([type=button]), input[type=submit]");
  };
  Controller.prototype.busy = function (on) {
    this.pending = Math.max(0, this.pending + (on ? 1 : -1));
    var disabled = this.pending > 0;
    this.form.toggleAttribute("data-uploading", disabled);
    this.submits().forEach(function (b) { b.disabled = disabled; });
  };
  Controller.prototype.say = function (text, alert) {
    if (this.box) { this.box.hidden = false; }
    if (this.status) {
      this.status.textContent = text;
      if (alert) { this.status.setAttribute("role", "alert"); } else { this.status.removeAttribute("role"); }
    }
  };
  // Upload `file`; `done(signed)` once it is confirmed.
  Controller.prototype.start = function (file, purpose, extra, done) {
    var self = this, job = {file: file, done: done};
    job.upload = new Upload(file, purpose, extra, function (value) {
      if (self.bar) { self.bar.value = value; }
      self.say(interpolate(gettext("Uploading %(name)s… %(percent)s"), {name: file.name, percent: percent(value)}, true));
    });
    this.busy(true);
    this.go(job);
  };
  Controller.prototype.go = async function (job) {
    var self = this;
    this.current = job;
    if (this.retry) { this.retry.hidden = true; }
    if (this.bar) { this.bar.value = 0; }
    this.say(interpolate(gettext("Uploading %(name)s… %(percent)s"), {name: job.file.name, percent: percent(0)}, true));
    try {
      var signed = await job.upload.run();
      var note = signed.storage_warning ? " " + interpolate(gettext("(storage %(percent)s used)"),
        {percent: percent(signed.storage_warning)}, true) : "";
      if (this.bar) { this.bar.value = 100; }
      this.say(interpolate(gettext("%(name)s uploaded."), {name: job.file.name}, true) + note);
      this.current = null;
      this.busy(false);
      job.done(signed);
    } catch (err) {
      this.say(err.message, true);
      if (this.retry) { this.retry.hidden = false; }  // the submit buttons stay disabled until it is done
    }
  };
  Controller.prototype.cancel = function () {  // the file was unchosen: nothing to wait for any more
    if (this.current) { this.current = null; this.busy(false); }
    if (this.retry) { this.retry.hidden = true; }
    if (this.box) { this.box.hidden = true; }
  };
  function controllerOf(form) {
    if (!form.moocUpload) { form.moocUpload = new Controller(form); }
    return form.moocUpload;
  }
  window.moocUploads = {controller: controllerOf};

  // Forms with their own file field (`data-upload`: lesson, cover, logo): the upload starts when a file is chosen.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]:not([data-editor-image])");
    var field = form.querySelector("[name=upload_id]");
    if (!input || !field) { return; }
    var controller = controllerOf(form);
    input.addEventListener("change", function () {
      field.value = "";
      controller.cancel();
      if (!input.files.length) { return; }
      var file = input.files[0], purpose = form.dataset.upload;
      if (purpose === "lesson") {
        var kind = form.querySelector("[name=kind]");
        if (kind.value !== "video" && kind.value !== "file") {  // the file says which kind of lesson it is
          kind.value = (file.type || "").indexOf("video/") === 0 ? "video" : "file";
        }
        purpose = kind.value;
      }
      controller.start(file, purpose, {}, function (signed) { field.value = signed.id; });
    });
    form.addEventListener("submit", function (event) {
      if (controller.pending > 0) {
        event.preventDefault();
      } else if (input.files.length && !field.value) {  // chosen before this script ran: upload it first
        event.preventDefault();
        input.dispatchEvent(new Event("change"));
      }
    });
  });
})();
