// Firebreak's only script. Every page works without it; it adds live
// updates, ticking elapsed times, the viewer's time zone and small form hints.
(function () {
  "use strict";

  // Tell the server the viewer's time zone so the next page shows local times.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("tz=" + encodeURIComponent(tz)) < 0) {
      document.cookie = "tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* an old browser: times stay in UTC */ }

  function formatElapsed(ms) {
    var m = Math.max(0, Math.floor(ms / 60000)), h = Math.floor(m / 60), d = Math.floor(h / 24);
    // The same words as the server writes (i18n.FormatDuration).
    var u = document.documentElement.lang === "ko" ? ["일", "시간", "분"] : ["d", "h", "m"];
    if (d > 0) return d + u[0] + " " + (h % 24) + u[1];
    if (h > 0) return h + u[1] + (m % 60 ? " " + (m % 60) + u[2] : "");
    return m + u[2];
  }
  function tickElapsed() {
    document.querySelectorAll(".elapsed[data-since]").forEach(function (el) {
      var until = el.dataset.until ? Date.parse(el.dataset.until) : Date.now();
      el.textContent = formatElapsed(until - Date.parse(el.dataset.since));
    });
  }
  setInterval(tickElapsed, 30000);

  function fromHTML(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content;
  }

  // The incident page: new timeline rows and header changes arrive as
  // server-sent events; EventSource reconnects by itself with Last-Event-ID.
  var timeline = document.getElementById("timeline");
  if (timeline && timeline.dataset.live && window.EventSource) {
    var es = new EventSource(timeline.dataset.live);
    es.addEventListener("timeline", function (e) {
      var row = fromHTML(e.data).firstElementChild;
      if (!row || document.getElementById(row.id)) return;
      row.classList.add("fresh");
      timeline.appendChild(row);
    });
    es.addEventListener("header", function (e) {
      var head = document.getElementById("incident-header");
      var fresh = fromHTML(e.data).firstElementChild;
      if (head && fresh) head.replaceWith(fresh);
    });
    // Kill switches: a flip or a status change redraws the section, unless
    // someone is typing a reason in it.
    es.addEventListener("switches", function (e) {
      var sw = document.getElementById("switches");
      var fresh = fromHTML(e.data).firstElementChild;
      if (!sw || !fresh || sw.contains(document.activeElement)) return;
      var typed = Array.prototype.some.call(sw.querySelectorAll("input[name=reason]"), function (i) { return i.value !== i.defaultValue; });
      if (!typed) sw.replaceWith(fresh);
    });
  }

  // The incident list: on "changed", fetch this same page and swap the rows.
  var table = document.querySelector("table.incidents[data-live]");
  if (table && table.dataset.live && window.EventSource) {
    var ls = new EventSource(table.dataset.live);
    ls.addEventListener("changed", function () {
      fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var rows = doc.getElementById("incident-rows");
        if (rows) document.getElementById("incident-rows").replaceWith(rows);
      });
    });
  }

  // Action-item forms: the title field offers the earlier titles of the
  // chosen category (one datalist per category; without script, the
  // first category's and the lists below the form).
  document.querySelectorAll("select[data-suggest-input]").forEach(function (sel) {
    var input = document.getElementById(sel.dataset.suggestInput);
    if (!input) return;
    var pick = function () { input.setAttribute("list", sel.dataset.suggestLists + sel.value); };
    sel.addEventListener("change", pick);
    pick();
  });

  // Declare form: warn when one person would hold both roles.
  var picks = document.querySelectorAll("select.role-pick");
  var warn = document.getElementById("same-person");
  function checkRoles() {
    if (!warn || picks.length < 2) return;
    warn.hidden = !(picks[0].value && picks[0].value === picks[1].value);
  }
  picks.forEach(function (p) { p.addEventListener("change", checkRoles); });
  checkRoles();

  // Declare form: keep the preview of who will be told up to date.
  var panel = document.getElementById("preview");
  var declareForm = document.querySelector("form.declare");
  if (panel && declareForm && panel.dataset.preview) {
    var timer = null;
    var refresh = function () {
      fetch(panel.dataset.preview, { method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(declareForm)) })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) panel.innerHTML = html; });
    };
    var soon = function () { clearTimeout(timer); timer = setTimeout(refresh, 300); };
    declareForm.addEventListener("change", soon);
    declareForm.addEventListener("input", soon);
  }
})();
