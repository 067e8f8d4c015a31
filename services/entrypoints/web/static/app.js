/* Small enhancements. Every page works without this file: each one has a form post doing the same. */
(function () {
  "use strict";
  var doc = document;

  function each(selector, fn, root) { Array.prototype.forEach.call((root || doc).querySelectorAll(selector), fn); }

  // The error summary takes focus, so a screen reader reads it first.
  var summary = doc.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // Conditional questions appear as soon as their condition holds.
  function valuesOf(form, name) {
    var out = [];
    each('[name="' + name + '"]', function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) { out.push(input.value); }
    }, form);
    return out;
  }
  function toggle(form) {
    each("[data-when-field]", function (group) {
      var values = JSON.parse(group.getAttribute("data-when-values"));
      var given = valuesOf(form, group.getAttribute("data-when-field"));
      var holds = given.length > 0 && values.indexOf(given[0]) >= 0;
      if (group.getAttribute("data-when-negate") === "true") { holds = given.length > 0 && !holds; }
      group.hidden = !holds;
      var name = group.id.replace(/-group$/, "").split("-").slice(2).join("-");
      var marker = form.querySelector('input[name="shown"][value="' + name + '"]');
      if (holds && !marker) {
        marker = doc.createElement("input");
        marker.type = "hidden"; marker.name = "shown"; marker.value = name;
        form.appendChild(marker);
      } else if (!holds && marker) { marker.parentNode.removeChild(marker); }
    }, form);
  }
  each("form[data-step-form]", function (form) {
    form.addEventListener("change", function () { toggle(form); });
  });

  // "Lägg till rad" without a round trip.
  each("[data-add-row]", function (button) {
    button.addEventListener("click", function (event) {
      var name = button.getAttribute("data-add-row");
      var fieldset = button.closest("[data-rows]");
      var count = fieldset.querySelector("[data-row-count]");
      var n = parseInt(count.value, 10) || 0;
      if (n >= parseInt(fieldset.getAttribute("data-max-rows"), 10)) { return; }
      event.preventDefault();
      var template = fieldset.querySelector('template[data-row-template="' + name + '"]');
      var html = template.innerHTML.replace(/__i__/g, String(n)).replace(/__n__/g, String(n + 1));
      var holder = doc.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      fieldset.querySelector("[data-row-list]").appendChild(row);
      count.value = String(n + 1);
      var empty = fieldset.querySelector("[data-no-rows]");
      if (empty) { empty.parentNode.removeChild(empty); }
      var first = row.querySelector("input");
      if (first) { first.focus(); }
    });
  });

  // Live sums of a row column (the server's sum is shown after each save).
  function sum(box) {
    var name = box.getAttribute("data-live-sum"), column = box.getAttribute("data-column"), total = 0;
    each("input", function (input) {
      var parts = input.name.split(".");
      if (parts.length === 3 && parts[0] === name && parts[2] === column) {
        var v = parseFloat(input.value.replace(",", "."));
        if (!isNaN(v)) { total += v; }
      }
    }, box.closest("form"));
    box.querySelector("[data-sum-value]").textContent = (Math.round(total * 100) / 100).toLocaleString("sv-SE");
  }
  each("[data-live-sum]", function (box) {
    box.closest("form").addEventListener("input", function () { sum(box); });
  });

  // Attachments go straight to S3 with a presigned POST each; the message then names them.
  var MAX_FILES = 5, MAX_BYTES = 16 * 1024 * 1024;
  var TYPES = { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", heic: "image/heic",
    txt: "text/plain", doc: "application/msword", odt: "application/vnd.oasis.opendocument.text",
    docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" };
  // With the script the file field in the message form replaces the upload form for JavaScript off.
  each("[data-attach-nojs]", function (el) { el.hidden = true; });
  each("[data-attachments]", function (box) {
    var form = box.closest("form");
    var input = box.querySelector("input[type=file]");
    var error = box.querySelector("[data-attach-error]");
    box.hidden = false;
    each("[data-attachments-nojs]", function (el) { el.hidden = true; }, form);
    function fail(text) {
      error.querySelector("[data-attach-text]").textContent = text;
      error.hidden = false;
      box.classList.add("field-error");
      input.setAttribute("aria-describedby", "m-files-hint m-files-error");
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    function typeOf(file) {
      return file.type || TYPES[(file.name.split(".").pop() || "").toLowerCase()] || "application/octet-stream";
    }
    function upload(file) {
      var ask = new URLSearchParams();
      ask.append("csrf", form.querySelector("[name=csrf]").value);
      ask.append("filename", file.name);
      ask.append("content_type", typeOf(file));
      return fetch(form.getAttribute("data-ticket-url"), { method: "POST", body: ask, credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (t) { if (!r.ok) { throw new Error(t.error); } return t; }); })
        .then(function (ticket) {
          var data = new FormData();
          Object.keys(ticket.fields).forEach(function (k) { data.append(k, ticket.fields[k]); });
          data.append("file", file);
          return fetch(ticket.url, { method: "POST", body: data }).then(function (r) {
            if (!r.ok) { throw new Error("Filen " + file.name + " kunde inte laddas upp. Försök igen."); }
            var hidden = doc.createElement("input");
            hidden.type = "hidden"; hidden.name = "attachments"; hidden.value = ticket.upload_id;
            form.appendChild(hidden);
          });
        });
    }
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.slice.call(input.files || []);
      if (form.getAttribute("data-uploaded") === "yes" || files.length === 0) { return; }
      event.preventDefault();
      if (files.length > MAX_FILES) { fail("Du kan bifoga högst 5 filer."); return; }
      var big = files.filter(function (f) { return f.size > MAX_BYTES; })[0];
      if (big) { fail("Filen " + big.name + " är större än 16 MB. Välj en mindre fil."); return; }
      files.reduce(function (done, file) { return done.then(function () { return upload(file); }); }, Promise.resolve())
        .then(function () {
          form.setAttribute("data-uploaded", "yes");
          HTMLFormElement.prototype.submit.call(form);
        })
        .catch(function (e) { fail(e.message || "Filen kunde inte laddas upp. Försök igen."); });
    });
  });

  // "Skriv ut".
  each("[data-print]", function (button) {
    button.hidden = false;
    each("[data-print-fallback]", function (el) { el.hidden = true; });
    button.addEventListener("click", function () { window.print(); });
  });

  // The session timeout: warn before it ends, let the person continue, and save what they typed if it ends.
  var info = doc.getElementById("session-info");
  var dialog = doc.getElementById("timeout-dialog");
  if (info && dialog) {
    var idle = parseInt(info.getAttribute("data-remaining"), 10) * 1000;
    var ends = Date.now() + idle;
    var warn = parseInt(info.getAttribute("data-warn"), 10) * 1000;
    var warnTimer, endTimer;
    var schedule = function (endAt) {
      clearTimeout(warnTimer); clearTimeout(endTimer);
      warnTimer = setTimeout(function () {
        dialog.hidden = false;
        dialog.querySelector("button").focus();
      }, Math.max(0, endAt - Date.now() - warn));
      endTimer = setTimeout(function () {
        var form = doc.querySelector("form[data-step-form]");
        if (form) {
          var action = doc.createElement("input");
          action.type = "hidden"; action.name = "action"; action.value = "save";
          form.appendChild(action);
          HTMLFormElement.prototype.submit.call(form);
        } else { window.location.reload(); }
      }, Math.max(0, endAt - Date.now()));
    };
    schedule(ends);
    doc.getElementById("keep-alive").addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin" })
        .then(function () {
          dialog.hidden = true;
          schedule(Date.now() + idle);
        });
    });
  }
})();
