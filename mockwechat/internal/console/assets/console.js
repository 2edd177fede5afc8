// mockwechat console: live updates over Server-Sent Events, and forms that
// call the admin API as JSON. Plain JavaScript, no build step, no library.
"use strict";
(function () {
  const body = document.body;
  const root = body.dataset.root || "./";

  // ---- forms: the admin API, as JSON, from the fake's own origin ----
  for (const fs of document.querySelectorAll("form[data-api] fieldset[disabled]")) fs.disabled = false;

  function formBody(form) {
    if (form.dataset.shape === "array") {
      return [...form.querySelectorAll("input[name=items]")].map(i => i.value.trim()).filter(v => v !== "");
    }
    const out = {};
    let any = false;
    for (const el of form.elements) {
      if (!el.name) continue;
      const kind = el.dataset.kind;
      if (kind === "bool") {
        if (el.checked) { out[el.name] = true; any = true; }
        continue;
      }
      const v = el.value.trim();
      if (v === "") continue;
      out[el.name] = kind === "int" ? Number(v) : v;
      any = true;
    }
    return any ? out : null;
  }

  function showError(form, msg) {
    const box = form.querySelector(".form-error") || form.closest("section")?.querySelector(".form-error");
    if (box) { box.textContent = msg; box.hidden = false; } else flash(msg, true);
  }

  let flashTimer;
  function flash(msg, bad) {
    const f = document.getElementById("flash");
    if (!f) return;
    f.textContent = msg;
    f.classList.toggle("bad", !!bad);
    f.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { f.hidden = true; }, bad ? 8000 : 3000);
  }

  document.addEventListener("submit", async (ev) => {
    const form = ev.target.closest("form[data-api]");
    if (!form) return;
    ev.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    for (const box of form.querySelectorAll(".form-error")) box.hidden = true;
    const payload = formBody(form);
    const fs = form.querySelector("fieldset");
    if (fs) fs.disabled = true;
    try {
      const resp = await fetch(root + form.dataset.path, {
        method: form.dataset.api,
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: payload === null ? undefined : JSON.stringify(payload),
        credentials: "same-origin",
      });
      let answer = null;
      try { answer = await resp.json(); } catch (e) { /* not JSON */ }
      if (!resp.ok) {
        showError(form, (answer && answer.error) || ("HTTP " + resp.status));
        return;
      }
      if (form.dataset.then === "complaint" && answer && answer.feedback_id) {
        window.location.href = root + "complaints/" + encodeURIComponent(answer.feedback_id);
        return;
      }
      if (form.dataset.then === "pay-complaint" && answer && answer.complaint_id) {
        window.location.href = root + "pay-complaints/" + encodeURIComponent(answer.complaint_id);
        return;
      }
      flash("Done: " + form.dataset.api + " /" + form.dataset.path);
      refresh();
    } catch (e) {
      showError(form, "The fake did not answer: " + e.message);
    } finally {
      if (fs) fs.disabled = false;
    }
  });

  // ---- live parts: fetch the page again and swap what changed ----
  let refreshTimer = null, refreshing = false, again = false;
  function refresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(doRefresh, 150);
  }
  let lastRefreshOK = true;
  async function doRefresh() {
    refreshTimer = null;
    if (refreshing) { again = true; return; }
    refreshing = true;
    lastRefreshOK = false;
    try {
      const resp = await fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" });
      if (!resp.ok) return;
      const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
      for (const fresh of doc.querySelectorAll("[data-live][id]")) {
        const old = document.getElementById(fresh.id);
        if (!old) continue;
        if (old.contains(document.activeElement) && document.activeElement !== document.body) { again = true; continue; }
        if (old.innerHTML === fresh.innerHTML) continue;
        for (const f of fresh.querySelectorAll("form[data-api] fieldset[disabled]")) f.disabled = false;
        old.replaceWith(document.adoptNode(fresh));
      }
      const h1 = doc.querySelector("h1"), cur = document.querySelector("h1");
      if (h1 && cur && h1.textContent !== cur.textContent) cur.textContent = h1.textContent;
      document.title = doc.title;
      syncClock();
      tick();
      lastRefreshOK = true;
    } catch (e) {
      /* the next event retries */
    } finally {
      refreshing = false;
      if (again) { again = false; refresh(); }
    }
  }

  // ---- the clock and the countdowns ----
  let clockBase = 0, clockRead = 0, virtual = true;
  function syncClock() {
    const t = document.getElementById("clock-now");
    if (!t) return;
    clockBase = Date.parse(t.getAttribute("datetime"));
    clockRead = Date.now();
    virtual = t.dataset.virtual === "true";
  }
  function now() { return virtual ? clockBase : clockBase + (Date.now() - clockRead); }
  function human(ms) {
    let s = Math.round(ms / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + m + "m";
    if (m > 0) return m + "m " + s + "s";
    return s + "s";
  }
  function stamp(ms) {
    return new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }
  function tick() {
    if (virtual) return; // a virtual clock moves only when advanced: the page is refreshed then
    const n = now();
    const t = document.getElementById("clock-now");
    if (t) t.textContent = stamp(n);
    for (const el of document.querySelectorAll(".countdown[data-deadline]")) {
      const d = Date.parse(el.dataset.deadline) - n;
      el.textContent = d >= 0 ? "in " + human(d) : human(-d) + " ago";
    }
  }
  syncClock();
  setInterval(tick, 1000);

  // ---- the event stream ----
  const kinds = body.dataset.events;
  if (!kinds || !window.EventSource) return;
  const live = document.getElementById("live");
  let url = root + "_mock/events?kinds=" + encodeURIComponent(kinds);
  if (body.dataset.feedback) url += "&feedback_id=" + encodeURIComponent(body.dataset.feedback);
  const es = new EventSource(url);
  // A stream that breaks and comes back has missed what happened in
  // between (the fake does not replay it): on its return the page fetches
  // what it shows again, and says so.
  let opened = false, broken = false;
  es.onopen = () => {
    if (live) { live.textContent = "live"; live.classList.add("on"); }
    if (opened && broken) {
      broken = false;
      logMark("reconnected: events of the break are not listed here; the page caught up");
      catchUp();
    }
    opened = true;
  };
  es.onerror = () => {
    if (opened) broken = true;
    if (live) { live.textContent = "reconnecting…"; live.classList.remove("on"); }
  };
  async function catchUp() {
    await doRefresh();
    if (lastRefreshOK) flash("Reconnected to the fake: the page caught up.");
    else flash("Reconnected to the fake, but the page could not catch up: reload it.", true);
  }

  const log = document.querySelector("[data-log]");
  function logMark(text) {
    if (!log) return;
    const li = document.createElement("li");
    li.className = "muted";
    li.textContent = "— " + text + " —";
    log.prepend(li);
  }
  function logLine(m) {
    if (!log) return;
    const first = log.querySelector("li.muted");
    if (first) first.remove();
    const li = document.createElement("li");
    li.className = "k-" + m.kind;
    const t = document.createElement("span");
    t.className = "t";
    t.textContent = (m.time || "").slice(11, 19);
    li.append(t, document.createTextNode(m.line));
    log.prepend(li);
    while (log.children.length > 200) log.lastElementChild.remove();
  }

  // The calls' rows: looked up at each call, as a catch-up replaces them.
  function callRow(c) {
    const callsBody = document.getElementById("calls");
    if (!callsBody) return;
    const f = callsBody.closest("table").dataset;
    if (f.endpoint && c.endpoint !== f.endpoint) return;
    if (f.appid && c.appid !== f.appid) return;
    if (f.errcode && String(c.errcode) !== f.errcode) return;
    const empty = callsBody.querySelector(".empty-row");
    if (empty) empty.remove();
    const tr = document.createElement("tr");
    tr.className = "fresh" + (c.errcode !== 0 ? " bad" : "");
    const q = c.query || {};
    const lat = c.latency_ns < 1e6 ? Math.round(c.latency_ns / 1e3) + " µs" : Math.round(c.latency_ns / 1e6) + " ms";
    let why = "";
    if (q.openid) why += "openid=" + q.openid[0] + " ";
    if (q.feedbackid) why += "feedbackid=" + q.feedbackid[0] + " ";
    if (c.fault) why += "[" + c.fault + "] ";
    if (c.errcode !== 0 && c.answer) {
      let msg = c.answer;
      try { msg = JSON.parse(c.answer).errmsg || msg; } catch (e) { /* not JSON */ }
      why += msg;
    }
    const cells = [String(c.seq), stamp(Date.parse(c.time)), c.method + " " + c.endpoint, c.appid || "", String(c.errcode), lat, why];
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      if (i === 2) { const code = document.createElement("code"); code.textContent = text; td.append(code); }
      else if (i === 4) { const b = document.createElement("span"); b.className = "badge " + (c.errcode === 0 ? "ok" : "bad"); b.textContent = text; td.append(b); }
      else td.textContent = text;
      if (i === 0) td.className = "muted";
      if (i === 1) td.className = "nowrap";
      if (i === 6) td.className = "why";
      tr.append(td);
    });
    callsBody.prepend(tr);
    while (callsBody.children.length > 500) callsBody.lastElementChild.remove();
  }

  function onEvent(ev) {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    logLine(m);
    if (m.kind === "call" && document.getElementById("calls")) {
      callRow(m.call);
      return;
    }
    refresh();
  }
  for (const k of ["complaint", "world", "push", "call", "clock", "pay", "pay-callback"]) es.addEventListener(k, onEvent);
  es.addEventListener("gap", () => { logMark("some events were missed; the page caught up"); refresh(); });
  es.addEventListener("skipped", (ev) => {
    // data {"events":N}: events beyond the stream's rate (100 of each
    // kind a second) were counted, not sent; the page fetches the newest.
    let n = 0;
    try { n = Number(JSON.parse(ev.data).events) || 0; } catch (e) { /* not JSON */ }
    refresh();
    const box = document.getElementById("skipped");
    if (!box) return;
    box.textContent = n + (n === 1 ? " event" : " events") + " in the last second came faster than the console shows them live (100 of each kind a second): the table shows the newest again.";
    box.hidden = false;
  });
})();
