"use strict";
(function () {
  var rows = document.getElementById("rows");
  var count = document.getElementById("count");
  var banner = document.getElementById("banner");
  var search = document.getElementById("q");
  var form = document.getElementById("override");
  var only = form ? form.getAttribute("data-clinic") : "";

  // Every second, the rows again as the server renders them; one request
  // at a time, so that a slow link does not pile them up.
  var pending = false;
  function refresh() {
    if (!rows || pending) return;
    pending = true;
    var query = only ? "clinic=" + encodeURIComponent(only) : "q=" + encodeURIComponent(search ? search.value : "");
    fetch("/ui/now.json?" + query, {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (rows.innerHTML !== data.rows) rows.innerHTML = data.rows;
        if (count && count.textContent !== data.count) count.textContent = data.count;
        if (banner && banner.innerHTML !== data.banner) banner.innerHTML = data.banner;
      })
      .catch(function () {})
      .then(function () { pending = false; });
  }
  setInterval(refresh, 1000);

  if (search) {
    search.addEventListener("input", function () {
      var url = new URL(window.location.href);
      if (search.value) url.searchParams.set("q", search.value); else url.searchParams.delete("q");
      history.replaceState(null, "", url.toString());
      refresh();
    });
  }

  if (form) {
    var status = document.getElementById("ov-status");
    var token = document.getElementById("ov-token");
    try { token.value = sessionStorage.getItem("callpolicy-admin-token") || ""; } catch (e) {}
    function send(method, body) {
      try { sessionStorage.setItem("callpolicy-admin-token", token.value); } catch (e) {}
      status.textContent = "Sending…";
      return fetch("/admin/clinics/" + encodeURIComponent(only) + "/override", {
        method: method,
        headers: {"Authorization": "Bearer " + token.value, "Content-Type": "application/json"},
        body: body ? JSON.stringify(body) : undefined
      }).then(function (r) {
        return r.text().then(function (text) {
          var message = text;
          try { var j = JSON.parse(text); message = j.error || (j.cleared === false ? "There was no override." : ""); } catch (e) {}
          if (r.ok) {
            status.textContent = method === "DELETE" ? (message || "Override cleared.") : "Override set.";
          } else {
            status.textContent = "Not done (" + r.status + "): " + (r.status === 401 ? "the admin token is wrong." : message);
          }
          refresh();
        });
      }).catch(function (e) { status.textContent = "Not done: " + e; });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var hours = parseInt(document.getElementById("ov-hours").value, 10);
      var until = new Date(Date.now() + hours * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
      send("POST", {action: document.getElementById("ov-action").value, until: until,
                    reason: document.getElementById("ov-reason").value});
    });
    document.getElementById("ov-clear").addEventListener("click", function () { send("DELETE"); });
  }
})();
