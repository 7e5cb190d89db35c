// The questionnaire studio saves a draft as the admin types. Each form (version
// settings, an area, an item) is sent as JSON with the revision it was loaded at; a
// change someone else saved first comes back 409 with their text, and the admin
// chooses which to keep. Every few seconds the page asks what others changed and says
// so. Without this script every form still saves with its Save button.
(function () {
  "use strict";
  var root = document.getElementById("studio");
  if (!root) return;
  var T = JSON.parse(document.getElementById("studio-text").textContent);
  var lastEvent = parseInt(root.dataset.event, 10) || 0;
  var timers = new Map();
  var busy = new Set();
  var again = new Set();

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] || ""; });
  }

  function csrf(form) { return form.querySelector("input[name=csrfmiddlewaretoken]").value; }

  function state(form, text, kind) {
    var el = form.querySelector("[data-state]");
    if (!el) return;
    el.textContent = text || "";
    el.className = "save-state small" + (kind ? " " + kind : "");
  }

  function payload(form) {
    var data = {};
    form.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") return;
      if (el.type === "checkbox") data[el.name] = el.checked;
      else data[el.name] = el.value;
    });
    return data;
  }

  function fill(form, values) {
    Object.keys(values).forEach(function (name) {
      var el = form.querySelector("[name='" + name + "']");
      if (!el) return;
      if (el.type === "checkbox") el.checked = !!values[name];
      else el.value = values[name] === null || values[name] === undefined ? "" : values[name];
    });
  }

  function problems(list) {
    var ul = document.getElementById("problems");
    if (!ul || !list) return;
    ul.textContent = "";
    if (!list.length) {
      var ok = document.createElement("li");
      ok.className = "ok";
      ok.textContent = T.valid;
      ul.appendChild(ok);
    }
    list.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    });
  }

  function conflict(form, body) {
    var box = form.querySelector("[data-conflict]");
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = format(T.conflict, { by: body.by || T.someone });
    var theirs = document.createElement("button");
    theirs.type = "button";
    theirs.textContent = T.keepTheirs;
    theirs.addEventListener("click", function () {
      fill(form, body.theirs);
      form.querySelector("[data-revision]").value = body.revision;
      box.hidden = true;
      state(form, T.saved, "ok");
    });
    var mine = document.createElement("button");
    mine.type = "button";
    mine.textContent = T.keepMine;
    mine.addEventListener("click", function () {
      form.querySelector("[data-revision]").value = body.revision;
      box.hidden = true;
      save(form);
    });
    box.append(p, theirs, mine);
    box.hidden = false;
    state(form, "", "");
  }

  function save(form) {
    if (busy.has(form)) { again.add(form); return; }
    busy.add(form);
    state(form, T.saving);
    fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf(form) },
      body: JSON.stringify(payload(form))
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          form.querySelector("[data-revision]").value = body.revision;
          state(form, T.saved, "ok");
          problems(body.problems);
          if (body.event > lastEvent) lastEvent = body.event;
          var badge = form.querySelector("[data-lineage]");
          if (badge && body.lineage) badge.textContent = body.lineage;
        } else if (response.status === 409) {
          conflict(form, body);
        } else if (response.status === 401 || response.status === 403) {
          state(form, T.session, "bad");
        } else {
          state(form, body.error || T.failed, "bad");
        }
      });
    }).catch(function () {
      state(form, T.failed, "bad");
      again.add(form);
    }).finally(function () {
      busy.delete(form);
      if (again.has(form)) {
        again.delete(form);
        window.setTimeout(function () { save(form); }, 1000);
      }
    });
  }

  function schedule(form) {
    window.clearTimeout(timers.get(form));
    timers.set(form, window.setTimeout(function () { save(form); }, 500));
  }

  root.querySelectorAll("form.studio-form").forEach(function (form) {
    form.addEventListener("input", function () { schedule(form); });
    form.addEventListener("change", function () { schedule(form); });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.value && button.value !== "save") return; // move / remove: a page post
      event.preventDefault();
      window.clearTimeout(timers.get(form));
      save(form);
    });
  });

  var others = document.getElementById("studio-others");

  function poll() {
    fetch(root.dataset.changesUrl + "?after=" + lastEvent, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) {
      if (!body) return;
      if (body.event > lastEvent) lastEvent = body.event;
      if (!body.changes.length) return;
      others.hidden = false;
      body.changes.forEach(function (change) {
        var p = document.createElement("p");
        p.textContent = format(T.others, change);
        others.appendChild(p);
      });
      if (!others.querySelector("a")) {
        var link = document.createElement("a");
        link.href = window.location.pathname;
        link.textContent = T.reload;
        others.appendChild(link);
      }
    }).catch(function () { /* offline: ask again later */ });
  }

  window.setInterval(poll, 5000);
})();
