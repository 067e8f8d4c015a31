/* The visits section's logged-out page: Besöksappen's day (clients, visits, what was sent) leaves
   the phone. Registrations that still wait to be sent stay (the app's own "Logga ut" warns about
   them and clears them too when asked); they are sent after the same person's next login. */
(function () {
  "use strict";
  if (!window.indexedDB || !indexedDB.databases) { return; }
  indexedDB.databases().then(function (found) {
    if (!found.some(function (d) { return d.name === "insats-besok"; })) { return; }
    var req = indexedDB.open("insats-besok", 1);
    req.onsuccess = function () {
      var db = req.result;
      var t = db.transaction(["day", "actions"], "readwrite");
      t.objectStore("day").clear();
      var actions = t.objectStore("actions");
      actions.openCursor().onsuccess = function (e) {
        var cursor = e.target.result;
        if (!cursor) { return; }
        if (cursor.value.state !== "pending") { cursor.delete(); }
        cursor.continue();
      };
      t.oncomplete = function () { db.close(); };
    };
  });
})();
