// Save answers as they are given. Every change first goes into a queue kept in
// localStorage, so nothing is lost on reload, tab close or a dropped connection; the
// queue is sent one item at a time and retried with back-off until the server has it.
// A change based on an older revision than the server's comes back 409 with both
// values, and the person chooses which to keep. Without this script the page is a
// plain form with a Save button.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form || !form.dataset.editable) return;
  var T = JSON.parse(document.getElementById("survey-text").textContent);
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  // Per person and assessment: someone else signing in on this browser never sends it.
  var storeKey = "mlopsscore:pending:" + form.dataset.user + ":" + form.dataset.assessment;
  var statusEl = document.getElementById("save-status");
  var submitForm = document.getElementById("submit-form");
  var busy = false;
  var retryDelay = 0;
  var retryTimer = null;
  var pendingSubmit = false;
  var sent = false;
  var typingTimers = {};
  var sendTimer = null;
  // A choice is sent once the person has settled on it: arrow keys pass through the
  // choices one change event at a time, and only where they stop is a change.
  var SETTLE_MS = 800;
  var queue = load();

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function persist() {
    try {
      if (Object.keys(queue).length) window.localStorage.setItem(storeKey, JSON.stringify(queue));
      else window.localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or disabled: the queue still lives in memory */ }
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function saveUrl(id) {
    return form.dataset.saveUrl.replace(/\/0\/$/, "/" + id + "/");
  }

  function fieldset(id) { return document.getElementById("item-" + id); }

  function field(fs, prefix) { return fs.querySelector("[name='" + prefix + "-" + fs.dataset.item + "']"); }

  function read(fs) {
    var checked = fs.querySelector("input[type=radio]:checked");
    var reason = field(fs, "r");
    return {
      value: checked ? checked.value : null,
      na_reason: reason ? reason.value : "",
      note: field(fs, "n").value,
      evidence_url: field(fs, "e").value
    };
  }

  function write(fs, data) {
    fs.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = radio.value === data.value;
    });
    var reason = field(fs, "r");
    if (reason) reason.value = data.na_reason || "";
    field(fs, "n").value = data.note || "";
    field(fs, "e").value = data.evidence_url || "";
    refresh(fs);
  }

  function revision(fs) { return parseInt(fs.querySelector("[data-revision]").value, 10) || 0; }

  function setRevision(fs, value) { fs.querySelector("[data-revision]").value = String(value); }

  function refresh(fs) {
    var value = read(fs).value;
    var reason = fs.querySelector("[data-na-reason]");
    if (reason) reason.hidden = value !== "NA";
    fs.classList.toggle("unanswered", value === null);
    var unverified = fs.querySelector("[data-unverified]");
    if (unverified) unverified.hidden = !(value === "1" && !fs.dataset.checked);
  }

  function state(fs, text, kind) {
    var el = fs.querySelector("[data-state]");
    el.textContent = text || "";
    el.className = "save-state small" + (kind ? " " + kind : "");
  }

  function say(text, kind) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.className = kind || "";
  }

  function queued(id) { return queue[id] && !queue[id].conflict; }

  function enqueue(fs, settle) {
    var data = read(fs);
    refresh(fs);
    var id = fs.dataset.item;
    var previous = queue[id];
    if (data.value === "NA" && !data.na_reason.trim()) {
      // Passing over N/A on the way to another choice sends nothing in between.
      if (previous && !previous.conflict) { delete queue[id]; persist(); }
      state(fs, T.needReason, "warn");
      return;
    }
    if (previous && previous.conflict) return; // the person must choose first
    data.base_revision = previous ? previous.base_revision : revision(fs);
    data.stamp = Date.now() + ":" + Math.random();
    data.due = settle ? Date.now() + SETTLE_MS : 0;
    queue[id] = data;
    persist();
    state(fs, T.pending, "warn");
    updateUnanswered();
    window.clearTimeout(sendTimer);
    if (settle) sendTimer = window.setTimeout(flush, SETTLE_MS);
    else flush();
  }

  // Changes still waiting for the person to settle or stop typing are queued now.
  function settleAll() {
    window.clearTimeout(sendTimer);
    Object.keys(queue).forEach(function (id) { queue[id].due = 0; });
    Object.keys(typingTimers).forEach(function (id) {
      if (typingTimers[id] === null) return;
      window.clearTimeout(typingTimers[id]);
      typingTimers[id] = null;
      var fs = fieldset(id);
      if (fs) enqueue(fs, false);
    });
  }

  function nextId() {
    var ids = Object.keys(queue);
    var now = Date.now();
    for (var i = 0; i < ids.length; i++) {
      if (queued(ids[i]) && !(queue[ids[i]].due > now)) return ids[i];
    }
    return null;
  }

  function flush() {
    if (busy) return;
    var id = nextId();
    if (id === null) {
      var waiting = Object.keys(queue).filter(function (k) { return queued(k); });
      if (waiting.length) {
        var due = Math.min.apply(null, waiting.map(function (k) { return queue[k].due; }));
        window.clearTimeout(sendTimer);
        sendTimer = window.setTimeout(flush, Math.max(due - Date.now(), 0) + 10);
        return;
      }
      var conflicts = Object.keys(queue).length;
      if (!conflicts && sent) say(T.allSaved, "ok");
      if (pendingSubmit) {
        pendingSubmit = false;
        if (!conflicts) submitForm.submit();
      }
      return;
    }
    var entry = queue[id];
    var fs = fieldset(id);
    if (!fs) {
      delete queue[id];
      persist();
      flush();
      return;
    }
    busy = true;
    sent = true;
    state(fs, T.saving);
    say(T.saving);
    fetch(saveUrl(id), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({
        value: entry.value,
        na_reason: entry.na_reason,
        note: entry.note,
        evidence_url: entry.evidence_url,
        base_revision: entry.base_revision
      })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      busy = false;
      handle(id, fs, entry, result.status, result.body);
    }, function () {
      busy = false;
      state(fs, T.failed, "bad");
      retry();
    });
  }

  function handle(id, fs, entry, status, body) {
    if (status === 200) {
      retryDelay = 0;
      setRevision(fs, body.answer.revision);
      if (queue[id] && queue[id].stamp === entry.stamp) delete queue[id];
      else if (queue[id]) queue[id].base_revision = body.answer.revision; // a newer change builds on ours
      persist();
      state(fs, T.saved, "ok");
      updatePanel(body);
      flush();
    } else if (status === 409) {
      if (queue[id]) queue[id].conflict = body.theirs;
      persist();
      state(fs, "");
      showConflict(fs, queue[id] || entry, body.theirs);
      flush();
    } else if (status === 401) {
      say(T.session, "bad");
      state(fs, T.session, "bad");
    } else if (status >= 400 && status < 500) {
      if (queue[id] && queue[id].stamp === entry.stamp) delete queue[id];
      persist();
      state(fs, body.error || String(status), "bad");
      flush();
    } else {
      state(fs, T.failed, "bad");
      retry();
    }
  }

  function retry() {
    say(navigator.onLine === false ? T.offline : T.failed, "bad");
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 1000, 30000);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, retryDelay);
  }

  function describe(data) {
    var label = data.value === null || data.value === "" ? "—" : (data.value === "NA" ? "N/A" : data.value);
    var parts = [label];
    if (data.value === "NA" && data.na_reason) parts.push(T.reason + ": " + data.na_reason);
    if (data.note) parts.push(T.note + ": " + data.note);
    return parts.join(" · ");
  }

  // One way to write a time on every page: 2026-12-06 11:20 (the pages' format).
  function isoMinute(when) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return when.getFullYear() + "-" + two(when.getMonth() + 1) + "-" + two(when.getDate()) +
      " " + two(when.getHours()) + ":" + two(when.getMinutes());
  }

  function showConflict(fs, mine, theirs) {
    var box = fs.querySelector("[data-conflict]");
    box.textContent = "";
    var intro = document.createElement("p");
    intro.textContent = T.conflict;
    var list = document.createElement("dl");
    [[T.yours, describe(mine), "yours"],
     [T.theirs, describe(theirs) + " — " + format(T.by, { by: theirs.by || "?", at: isoMinute(new Date(theirs.at)) }), "theirs"]]
      .forEach(function (row) {
        var dt = document.createElement("dt");
        dt.textContent = row[0];
        var dd = document.createElement("dd");
        dd.textContent = row[1];
        dd.dataset.side = row[2];
        list.appendChild(dt);
        list.appendChild(dd);
      });
    var keepTheirs = document.createElement("button");
    keepTheirs.type = "button";
    keepTheirs.textContent = T.keepTheirs;
    keepTheirs.addEventListener("click", function () {
      delete queue[fs.dataset.item];
      persist();
      write(fs, theirs);
      setRevision(fs, theirs.revision);
      box.hidden = true;
      state(fs, T.saved, "ok");
      flush();
    });
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "primary";
    keepMine.textContent = T.keepMine;
    keepMine.addEventListener("click", function () {
      var entry = queue[fs.dataset.item];
      entry.conflict = null;
      entry.base_revision = theirs.revision;
      persist();
      box.hidden = true;
      flush();
    });
    box.appendChild(intro);
    box.appendChild(list);
    box.appendChild(keepTheirs);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(keepMine);
    box.hidden = false;
    say(T.conflict, "bad");
  }

  function updatePanel(body) {
    var panel = document.getElementById("score-panel");
    if (panel && body.panel_html) panel.innerHTML = body.panel_html;
    body.panel.areas.forEach(function (area) {
      document.querySelectorAll("[data-area-progress='" + area.key + "']").forEach(function (el) {
        el.textContent = format(T.progress, { answered: area.answered, total: area.n });
      });
    });
    var hint = document.querySelector("[data-submit-hint]");
    if (hint) hint.hidden = body.panel.complete;
    var again = document.querySelector("[data-resubmit]");
    if (again) again.hidden = !body.unsubmitted_changes;
    var againText = document.querySelector("[data-unsubmitted-text]");
    if (againText && body.unsubmitted_text) againText.textContent = body.unsubmitted_text;
    var receipt = document.querySelector("[data-receipt]");
    if (receipt && body.status !== "submitted") receipt.hidden = true;
    var badge = document.getElementById("assessment-status");
    if (badge && body.status_label) {
      badge.textContent = body.status_label;
      badge.className = "badge status-" + body.status;
    }
  }

  // The unanswered list and "next unanswered" follow the choices on the page.
  function updateUnanswered() {
    var first = null;
    var missing = 0;
    form.querySelectorAll("fieldset[data-item]").forEach(function (fs) {
      var open = read(fs).value === null;
      var entry = document.querySelector("[data-unanswered-item='" + fs.dataset.item + "']");
      if (entry) entry.hidden = !open;
      if (open) { missing += 1; if (!first) first = fs; }
    });
    var list = document.querySelector("[data-unanswered]");
    if (list) list.hidden = missing === 0;
    document.querySelectorAll("[data-next-unanswered]").forEach(function (link) {
      link.hidden = !first;
      if (first) link.href = "#" + first.id;
    });
  }

  form.addEventListener("change", function (event) {
    var fs = event.target.closest("fieldset[data-item]");
    if (fs) enqueue(fs, event.target.type === "radio");
  });
  form.addEventListener("input", function (event) {
    if (event.target.type === "radio") return;
    var fs = event.target.closest("fieldset[data-item]");
    if (!fs) return;
    window.clearTimeout(typingTimers[fs.dataset.item]);
    typingTimers[fs.dataset.item] = window.setTimeout(function () {
      typingTimers[fs.dataset.item] = null;
      enqueue(fs, false);
    }, 700);
  });
  form.addEventListener("click", function (event) {
    var clear = event.target.closest("[data-clear]");
    if (clear) {
      var cleared = clear.closest("fieldset[data-item]");
      cleared.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = false; });
      var firstRadio = cleared.querySelector("input[type=radio]");
      if (firstRadio) firstRadio.focus();
      enqueue(cleared, false);
      return;
    }
    var button = event.target.closest("[data-suggest]");
    if (!button) return;
    var fs = button.closest("fieldset[data-item]");
    var radio = fs.querySelector("input[type=radio][value='" + button.dataset.suggest + "']");
    radio.checked = true;
    radio.focus();
    enqueue(fs, false);
  });
  // With the script, Save sends what is queued instead of posting the whole form.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    settleAll();
    flush();
  });
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      settleAll();
      if (!Object.keys(queue).length && !busy) return;
      event.preventDefault();
      pendingSubmit = true;
      flush();
    });
  }
  window.addEventListener("online", function () { retryDelay = 0; flush(); });
  // Leaving the page sends what is settled; the queue in localStorage keeps the rest.
  window.addEventListener("pagehide", settleAll);
  form.querySelectorAll("[data-clear]").forEach(function (b) { b.hidden = false; });

  form.querySelectorAll("fieldset[data-item]").forEach(refresh);
  // Changes kept from an earlier visit (reload, closed tab, lost connection) go first.
  Object.keys(queue).forEach(function (id) {
    var fs = fieldset(id);
    if (!fs) { delete queue[id]; return; }
    write(fs, queue[id]);
    if (queue[id].conflict) showConflict(fs, queue[id], queue[id].conflict);
    else state(fs, T.pending, "warn");
  });
  persist();
  updateUnanswered();
  flush();
})();
