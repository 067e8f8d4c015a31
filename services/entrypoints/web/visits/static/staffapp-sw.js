/* Besöksappen's service worker: keeps the app shell (a page without anything personal, its styles,
   script, icon and manifest) and serves it when the network is down. The app's page is asked from
   the network first (the server's page is the fresh one); without network the kept shell answers,
   and the script fills it from the phone's store. The day's data and the events always go to the
   network: nothing personal is ever kept here. */
"use strict";
var VERSION = "__VERSION__";
var SHELL = "__SHELL__";
var APP = "__APP__";
var CACHE = "insats-besok-" + VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(function (url) { return new Request(url, { credentials: "same-origin", cache: "reload" }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("insats-besok-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function isAppPage(url) {
  return url.pathname === APP || url.pathname === APP + "/";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && isAppPage(url)) {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(APP + "/skal"); });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
    }));
  }
  /* anything else (the day, the events, other pages): the network, as if no worker were here */
});
