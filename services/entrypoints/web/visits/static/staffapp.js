/* Besöksappen: the staff app's script. No framework, no build step.

   Offline first: every registration (an arrival or a departure: one or more events, each with its
   own event id from crypto.randomUUID and the phone's time) is written to the phone's store
   (IndexedDB "insats-besok") before anything else, shown as "väntar på att skickas", and sent to
   the section's /personal/app/handelser when there is a network: at once, when the browser says it
   is online again, and every 20 seconds while something waits. A registration leaves the queue
   only when the server answered: 2xx (taken) or 4xx (refused: shown with the reason, never sent
   again); a network failure, a 5xx, "try later" (408, 425, 429: a throttled gateway) or an ended
   session (401) keeps it queued. A resend is harmless:
   the server takes an event id once. The store holds only the day's data and the registrations of
   the day; the app's "Logga ut" clears it. No location is ever asked for. */
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.classList.contains("staffapp") || !window.indexedDB) { return; }
  var APP = body.getAttribute("data-app");
  var DB = "insats-besok";
  var RETRY_MS = 20000;
  var TRY_LATER = [408, 425, 429]; /* not a refusal of the registration: the gateway asks to wait */
  var retryIn = 2000; /* after a failed send: 2 s, doubled up to a minute, back to 2 s once one is taken */
  var retryTimer = null;
  var state = { day: null, actions: [], online: navigator.onLine, loggedOut: false, csrf: null,
                message: "", warning: "", sending: false, confirmLogout: false };
  var db = null;
  var armed = null; /* the NFC reading a tap of "Läs tagg" waits for */

  /* -- the phone's store ------------------------------------------------------------------- */
  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore("day", { keyPath: "key" });
        req.result.createObjectStore("actions", { keyPath: "id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(store, mode, work) {
    return new Promise(function (resolve, reject) {
      var t = db.transaction(store, mode);
      var result = work(t.objectStore(store));
      t.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
      t.onerror = function () { reject(t.error); };
      t.onabort = function () { reject(t.error); };
    });
  }
  function saveAction(a) { return tx("actions", "readwrite", function (s) { s.put(a); }); }
  function loadAll() {
    return Promise.all([tx("day", "readonly", function (s) { return s.get("today"); }),
                        tx("actions", "readonly", function (s) { return s.getAll(); })]);
  }
  function clearStore() {
    return Promise.all([tx("day", "readwrite", function (s) { s.clear(); }),
                        tx("actions", "readwrite", function (s) { s.clear(); })]);
  }

  /* -- what is shown ----------------------------------------------------------------------- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k.indexOf("on") === 0) { node.addEventListener(k.slice(2), attrs[k]); }
      else if (attrs[k] === true) { node.setAttribute(k, ""); }
      else if (attrs[k] !== false && attrs[k] != null) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }
  /* Times and the day as the server tells them: Swedish time, whatever the phone's zone */
  var ZONE = "Europe/Stockholm";
  function clock(iso) {
    return new Date(iso).toLocaleTimeString("sv-SE", { timeZone: ZONE, hour: "2-digit", minute: "2-digit" });
  }
  function today() {
    return new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" })
      .format(new Date());
  }
  function mine() {
    var user = state.day && state.day.user;
    return state.actions.filter(function (a) { return a.owner === user; });
  }
  function pending() { return mine().filter(function (a) { return a.state === "pending"; }); }
  function clientOf(id) {
    return ((state.day && state.day.clients) || []).filter(function (c) { return c.client === id; })[0];
  }
  function tags(c) { return c.devices.length ? " (" + c.devices.map(function (d) { return d.id; }).join(", ") + ")" : ""; }
  function label(id) { var c = clientOf(id); return c ? c.label : id.slice(0, 8) + "-****"; }

  /* The visits in progress: the server's open visits, then the phone's registrations of the day
     in time order (an arrival opens, a departure closes). */
  function inProgress() {
    var open = {};
    ((state.day && state.day.visits) || []).forEach(function (v) {
      if (!v.end) { open[v.client] = { client: v.client, start: v.start, second: v.double_staffing }; }
    });
    mine().filter(function (a) { return a.day === today() && a.state !== "refused"; })
      .sort(function (x, y) { return x.time < y.time ? -1 : 1; })
      .forEach(function (a) {
        if (a.kind === "arrival") { open[a.client] = { client: a.client, start: a.time, second: a.second }; }
        else { delete open[a.client]; }
      });
    return Object.keys(open).map(function (k) { return open[k]; });
  }

  function statusText() {
    var n = pending().length;
    var parts = [state.online ? "Ansluten." : "Ingen anslutning: det du registrerar sparas i telefonen."];
    if (n) { parts.push(n + (n === 1 ? " registrering väntar" : " registreringar väntar") + " på att skickas."); }
    else if (mine().length) { parts.push("Allt är skickat."); }
    return parts.join(" ");
  }

  function reasonSelect(id) {
    var reasons = (state.day && state.day.reasons) || {};
    return el("div", { "class": "field" }, [
      el("label", { "class": "label", "for": id, text: "Orsak till manuell kvittering" }),
      el("select", { "class": "input", id: id }, Object.keys(reasons).map(function (k) {
        return el("option", { value: k, text: reasons[k] });
      }))]);
  }

  /* What the person has opened, chosen or typed survives a redraw (a send in the background redraws). */
  function snapshot(root) {
    var kept = {};
    Array.prototype.forEach.call(root.querySelectorAll("[id]"), function (n) {
      if (n.tagName === "DETAILS") { kept[n.id] = n.open; }
      else if (n.type === "checkbox") { kept[n.id] = n.checked; }
      else if (n.tagName === "SELECT" || n.tagName === "INPUT") { kept[n.id] = n.value; }
    });
    return kept;
  }
  function restore(root, kept) {
    Object.keys(kept).forEach(function (id) {
      var n = document.getElementById(id);
      if (!n || !root.contains(n)) { return; }
      if (n.tagName === "DETAILS") { n.open = kept[id]; }
      else if (n.type === "checkbox") { n.checked = kept[id]; }
      else { n.value = kept[id]; }
    });
  }

  function render() {
    var root = document.getElementById("app");
    var kept = snapshot(root);
    draw(root);
    restore(root, kept);
  }

  function draw(root) {
    var focused = document.activeElement && document.activeElement.id;
    document.getElementById("status").textContent = statusText();
    root.textContent = "";
    if (state.message) { root.appendChild(el("div", { "class": "notice", role: "status" }, [el("p", { text: state.message })])); }
    if (state.warning) { root.appendChild(el("div", { "class": "app-warning", role: "alert" }, [el("p", { text: state.warning })])); }
    if (state.loggedOut) {
      root.appendChild(el("div", { "class": "app-warning" }, [
        el("p", { text: "Du är utloggad. Det som väntar finns kvar i telefonen och skickas när du har loggat in igen." }),
        el("a", { "class": "button", href: body.getAttribute("data-login"), text: "Logga in igen" })]));
    }
    if (state.confirmLogout) { root.appendChild(logoutBox()); }
    if (!state.day) {
      root.appendChild(el("p", { text: "Appen behöver nät första gången du öppnar den idag. Försök igen när du har nät." }));
      restoreFocus(focused);
      return;
    }
    var open = inProgress();
    if (open.length) {
      root.appendChild(el("h2", { text: "Pågående besök" }));
      open.forEach(function (v, i) { root.appendChild(openCard(v, i)); });
    }
    root.appendChild(startSection(open));
    root.appendChild(doneSection());
    root.appendChild(warningSection());
    restoreFocus(focused);
  }
  function restoreFocus(id) { var n = id && document.getElementById(id); if (n) { n.focus(); } }

  function openCard(v, i) {
    var c = clientOf(v.client) || { insatser: [] };
    var insatser = (state.day && state.day.insatser) || {};
    var boxes = Object.keys(insatser).map(function (k) {
      var id = "ins-" + v.client + "-" + k;
      return el("div", { "class": "checkbox" }, [
        el("input", { type: "checkbox", id: id, name: "ins-" + v.client, value: k, checked: c.insatser.indexOf(k) >= 0 }),
        el("label", { "for": id, text: insatser[k] })]);
    });
    var chosen = function () {
      return Array.prototype.map.call(document.querySelectorAll("input[name='ins-" + v.client + "']:checked"),
                                      function (n) { return n.value; });
    };
    return el("section", { "class": "app-card app-open", "aria-labelledby": "open-" + i }, [
      el("h3", { id: "open-" + i, text: label(v.client) + (clientOf(v.client) ? tags(clientOf(v.client)) : "") +
        (v.second ? ", dubbelbemanning" : "") }),
      el("p", { text: "Ankom " + clock(v.start) + "." }),
      el("fieldset", { "class": "fieldset" }, [el("legend", { "class": "legend", text: "Insatser du har gjort" })].concat(boxes)),
      el("details", { "class": "details", id: "out-" + v.client }, [
        el("summary", { text: "Avsluta utan tagg" }),
        reasonSelect("reason-out-" + v.client),
        el("button", { type: "button", "class": "button app-button", id: "manual-out-" + v.client, text: "Registrera avfärd",
          onclick: function () {
            register("departure", v.client, { method: "manual", manual_reason: document.getElementById("reason-out-" + v.client).value },
                     chosen(), v.second);
          } })])]);
  }

  function startSection(open) {
    var clients = state.day.clients || [];
    var items = [el("h2", { text: open.length ? "Läs tagg" : "Starta besök" })];
    if ("NDEFReader" in window) {
      items.push(el("button", { type: "button", "class": "button app-button app-nfc", id: "nfc", text: "Läs tagg", onclick: readNfc }));
      items.push(el("p", { "class": "hint", text: "Tryck och håll telefonen mot klientens tagg: ankomst om inget besök pågår hos klienten, annars avfärd." }));
    }
    items.push(el("form", { "class": "app-tag-form", onsubmit: function (e) {
      e.preventDefault();
      var input = document.getElementById("tag-id");
      var id = input.value.trim();
      if (id) { input.value = ""; handleTag(id); }
    } }, [
      el("div", { "class": "field" }, [
        el("label", { "class": "label", "for": "tag-id", text: "Taggens nummer" }),
        el("p", { "class": "hint", id: "tag-id-hint", text: "Står på taggen. QR-koden på taggen öppnar appen med numret ifyllt." }),
        el("input", { "class": "input", id: "tag-id", type: "text", autocomplete: "off", "aria-describedby": "tag-id-hint" })]),
      el("button", { type: "submit", "class": "button", text: "Registrera med taggen" })]));
    items.push(el("div", { "class": "checkbox" }, [
      el("input", { type: "checkbox", id: "second" }),
      el("label", { "for": "second", text: "Jag är andra personen vid dubbelbemanning (gäller nästa ankomst)" })]));
    var busy = {};
    open.forEach(function (v) { busy[v.client] = true; });
    items.push(el("h3", { text: "Dina klienter" }));
    if (!clients.length) { items.push(el("p", { text: "Din utförare har inga klienter med tagg eller lås." })); }
    clients.forEach(function (c, i) {
      if (busy[c.client]) { return; }
      items.push(el("details", { "class": "details app-client", id: "in-" + c.client }, [
        el("summary", { text: c.label + tags(c) + ": utan tagg" }),
        reasonSelect("reason-in-" + c.client),
        el("button", { type: "button", "class": "button app-button", id: "manual-in-" + c.client, text: "Registrera ankomst",
          onclick: function () {
            register("arrival", c.client, { method: "manual", manual_reason: document.getElementById("reason-in-" + c.client).value },
                     [], document.getElementById("second").checked);
          } })]));
    });
    return el("section", { "aria-label": "Registrera" }, items);
  }

  var STATES = { pending: "Väntar på att skickas", sent: "Skickad", refused: "Avvisad" };
  function doneSection() {
    var rows = mine().filter(function (a) { return a.day === today(); })
      .sort(function (x, y) { return x.time < y.time ? -1 : 1; })
      .map(function (a) {
        return el("li", {}, [el("strong", { text: clock(a.time) + " " + (a.kind === "arrival" ? "Ankomst" : "Avfärd") }),
          " " + label(a.client) + (a.receipt.method === "manual" ? " (manuell)" : "") + " – " + STATES[a.state] +
          (a.text ? ": " + a.text : "")]);
      });
    var visits = (state.day.visits || []).map(function (v) {
      return el("li", {}, [el("strong", { text: v.time }), " " + v.label + " – " + v.status]);
    });
    return el("section", { "aria-labelledby": "done-h" }, [
      el("h2", { id: "done-h", text: "Dagens registreringar" }),
      rows.length ? el("ul", { "class": "app-list", id: "registreringar" }, rows) : el("p", { text: "Inga registreringar i telefonen idag." }),
      el("h3", { text: "Besök som servern har tagit emot" }),
      visits.length ? el("ul", { "class": "app-list" }, visits) : el("p", { text: "Inga ännu idag." }),
      el("p", {}, [el("a", { href: body.getAttribute("data-own"), text: "Mina registreringar: månadens besök och allt som ändrats i dem" })])]);
  }

  function warningSection() {
    var local = mine().filter(function (a) { return a.state === "refused"; }).map(function (a) {
      return el("li", { text: clock(a.time) + " " + label(a.client) + ": " + a.text +
        " Registrera besöket igen med rätt uppgifter, eller be samordnaren efterregistrera det." });
    });
    var server = (state.day.warnings || []).map(function (w) {
      return el("li", {}, [w.when + ", " + w.client + ": " + w.what + " ", el("strong", { text: w.todo })]);
    });
    if (!local.length && !server.length) { return el("div"); }
    return el("section", { "aria-labelledby": "warn-h" }, [el("h2", { id: "warn-h", text: "Att rätta" }),
      el("ul", { "class": "app-list" }, local.concat(server))]);
  }

  function logoutBox() {
    var n = pending().length;
    return el("div", { "class": "app-warning", role: "alert" }, [
      el("p", { text: n + (n === 1 ? " registrering" : " registreringar") + " har inte skickats än. Loggar du ut nu raderas " +
        (n === 1 ? "den" : "de") + " från telefonen. Vänta tills du har nät så skickas de, eller be samordnaren efterregistrera besöken." }),
      el("div", { "class": "button-group" }, [
        el("button", { type: "button", "class": "button", id: "stay", text: "Stanna kvar", onclick: function () {
          state.confirmLogout = false; render(); } }),
        el("button", { type: "button", "class": "button app-danger", id: "logout-anyway", text: "Logga ut ändå", onclick: logout })])]);
  }

  /* -- registering ----------------------------------------------------------------------- */
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* One registration: its events, each with its own id and the phone's time, stored before sending. */
  function register(kind, client, receipt, insatser, second) {
    var now = new Date();
    var base = { provider_id: state.day.provider, client: client, device_time: now.toISOString(), receipt: receipt };
    var events = [];
    function add(extra) { var e = { event_id: uuid() }; Object.keys(base).forEach(function (k) { e[k] = base[k]; });
      Object.keys(extra).forEach(function (k) { e[k] = extra[k]; }); events.push(e); }
    if (kind === "arrival") {
      add({ type: "arrival" });
      if (second) { add({ type: "double_staffing" }); } /* the same instant: the server orders it after the arrival */
    } else {
      insatser.forEach(function (i) { add({ type: "insats", insats: i }); });
      add({ type: "departure" });
    }
    var action = { id: events[0].event_id, owner: state.day.user, day: today(), kind: kind, client: client,
                   time: now.toISOString(), receipt: receipt, second: !!second, events: events, state: "pending" };
    state.actions.push(action);
    state.warning = "";
    state.message = (kind === "arrival" ? "Ankomst" : "Avfärd") + " registrerad " + clock(action.time) + " hos " + label(client) + ".";
    return saveAction(action).then(function () { render(); focusMain(); return flush(); });
  }
  function focusMain() { var m = document.getElementById("main"); if (m) { m.focus(); } }

  function handleTag(id) {
    var c = ((state.day && state.day.clients) || []).filter(function (x) {
      return x.devices.some(function (d) { return d.id === id; });
    })[0];
    if (!c) {
      state.message = "";
      state.warning = "Taggen " + id + " hör inte till någon av din utförares klienter. Kontrollera att du läste rätt tagg, " +
        "eller registrera manuellt med en orsak. Säg till samordnaren om taggen saknas eller sitter hos fel klient.";
      render(); return Promise.resolve();
    }
    var device = c.devices.filter(function (d) { return d.id === id; })[0];
    var receipt = { method: device.kind === "digital_lock" ? "digital_lock" : "nfc", device_id: id };
    var open = inProgress();
    var here = open.filter(function (v) { return v.client === c.client; })[0];
    if (here) {
      var chosen = Array.prototype.map.call(document.querySelectorAll("input[name='ins-" + c.client + "']:checked"),
                                            function (n) { return n.value; });
      return register("departure", c.client, receipt, chosen, here.second);
    }
    if (open.length) {
      state.message = "";
      state.warning = "Taggen hör till " + c.label + ", men ditt besök hos " + label(open[0].client) +
        " pågår. Avsluta det besöket först (läs dess tagg eller avsluta utan tagg).";
      render(); return Promise.resolve();
    }
    var second = document.getElementById("second");
    return register("arrival", c.client, receipt, [], second && second.checked);
  }

  function readNfc() {
    if (armed) { armed.abort(); }
    var controller = new AbortController();
    armed = controller;
    var reader = new window.NDEFReader();
    reader.onreading = function (event) {
      if (armed !== controller) { return; }
      armed = null;
      controller.abort();
      handleTag(tagId(event));
    };
    reader.onreadingerror = function () {
      state.warning = "Taggen gick inte att läsa. Försök igen, eller avsluta utan tagg med en orsak."; render();
    };
    state.warning = ""; state.message = "Håll telefonen mot taggen."; render();
    reader.scan({ signal: controller.signal }).catch(function () {
      armed = null;
      state.message = "";
      state.warning = "NFC gick inte att starta. Slå på NFC i telefonen, eller ange taggens nummer."; render();
    });
  }
  function tagId(event) {
    var records = (event.message && event.message.records) || [];
    for (var i = 0; i < records.length; i++) {
      if (records[i].recordType === "text" && records[i].data) {
        return new TextDecoder(records[i].encoding || "utf-8").decode(records[i].data).trim();
      }
    }
    return String(event.serialNumber || "");
  }

  /* -- sending --------------------------------------------------------------------------- */
  function loadDay() {
    return fetch(APP + "/dag", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { state.loggedOut = true; state.csrf = null; return null; }
        if (!r.ok) { return null; }
        return r.json().then(function (day) {
          state.loggedOut = false;
          state.csrf = day.csrf;
          var kept = {}; Object.keys(day).forEach(function (k) { if (k !== "csrf") { kept[k] = day[k]; } });
          kept.key = "today";
          state.day = kept;
          return tx("day", "readwrite", function (s) { s.put(kept); });
        });
      }).then(function () { state.online = true; render(); }, function () { state.online = false; render(); });
  }

  function flush() {
    if (state.sending) { return Promise.resolve(); }
    var queue = pending().sort(function (x, y) { return x.time < y.time ? -1 : 1; });
    if (!queue.length) { return Promise.resolve(); }
    state.sending = true;
    var sentAny = false;
    var ready = state.csrf ? Promise.resolve() : loadDay();
    function next(i) {
      if (i >= queue.length || !state.csrf) { return Promise.resolve(); }
      var a = queue[i];
      return fetch(APP + "/handelser", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf },
        body: JSON.stringify({ events: a.events }) })
        .then(function (r) {
          state.online = true;
          if (r.status === 401) { state.loggedOut = true; state.csrf = null; return null; }
          if (r.status >= 500 || TRY_LATER.indexOf(r.status) >= 0) { return null; } /* kept: sent again */
          return r.json().catch(function () { return {}; }).then(function (answer) {
            if (r.status === 403 && answer.fel === "csrf") { state.csrf = null; return null; }
            a.state = r.ok ? "sent" : "refused";
            if (!r.ok) { a.text = answer.text || "Servern tog inte emot registreringen."; }
            sentAny = true;
            return saveAction(a).then(function () { render(); return next(i + 1); });
          });
        }, function () { state.online = false; });
    }
    var done = function () {
      state.sending = false;
      render();
      if (sentAny) { retryIn = 2000; setTimeout(loadDay, 1500); }
      if (pending().length && !state.loggedOut && !retryTimer) {
        retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryIn);
        retryIn = Math.min(retryIn * 2, 60000);
      }
    };
    return ready.then(function () { return next(0); }).then(done, done);
  }

  /* -- logging out: the store is cleared; unsent registrations are warned about first ------ */
  function logout() {
    var form = document.getElementById("logga-ut");
    var go = function () {
      if (state.csrf) { form.querySelector("input[name='csrf']").value = state.csrf; }
      HTMLFormElement.prototype.submit.call(form);
    };
    clearStore().then(go, go);
  }

  function start() {
    var form = document.getElementById("logga-ut");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (pending().length) { state.confirmLogout = true; render(); var b = document.getElementById("stay"); if (b) { b.focus(); } }
      else { logout(); }
    });
    var fallback = document.getElementById("utan-skript");
    if (fallback) { fallback.hidden = true; }
    window.addEventListener("online", function () { state.online = true; render(); flush(); });
    window.addEventListener("offline", function () { state.online = false; render(); });
    setInterval(function () { if (pending().length) { flush(); } }, RETRY_MS);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(body.getAttribute("data-worker"), { scope: APP }).catch(function () {});
    }
    return openDb().then(function (opened) {
      db = opened;
      return loadAll();
    }).then(function (got) {
      var day = got[0];
      if (day && day.day !== today()) { day.visits = []; day.warnings = []; } /* an earlier day: its clients only */
      state.day = day || null;
      /* the day's data and the registrations of earlier days that were sent or refused are let go */
      var keep = function (a) { return a.day === today() || a.state === "pending"; };
      state.actions = (got[1] || []).filter(keep);
      var gone = (got[1] || []).filter(function (a) { return !keep(a); });
      if (gone.length) { tx("actions", "readwrite", function (s) { gone.forEach(function (a) { s.delete(a.id); }); }); }
      render();
      return loadDay();
    }).then(function () {
      var asked = new URLSearchParams(location.search).get("tagg");
      if (asked && state.day) {
        history.replaceState(null, "", APP);
        return handleTag(asked.trim());
      }
      return flush();
    }).then(function () { return flush(); });
  }

  window.insatsBesok = { flush: flush, state: state }; /* for the browser tests */
  start().catch(function () {
    document.getElementById("status").textContent = "Appen kunde inte öppna telefonens lagring. Använd formuläret.";
    var fallback = document.getElementById("utan-skript");
    if (fallback) { fallback.hidden = false; }
  });
})();
