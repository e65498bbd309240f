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

  // Inbox items marked done with the admin token, kept for the session as
  // the override form keeps it.
  var inbox = document.getElementById("inbox");
  if (inbox) {
    var inboxToken = document.getElementById("inbox-token");
    var inboxStatus = document.getElementById("inbox-status");
    try { if (inboxToken) inboxToken.value = sessionStorage.getItem("callpolicy-admin-token") || ""; } catch (e) {}
    inbox.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.mark-done") : null;
      if (!button || !inboxToken) return;
      try { sessionStorage.setItem("callpolicy-admin-token", inboxToken.value); } catch (e) {}
      inboxStatus.textContent = "Sending…";
      fetch("/admin/inbox/" + encodeURIComponent(button.getAttribute("data-id")) + "/done", {
        method: "POST",
        headers: {"Authorization": "Bearer " + inboxToken.value}
      }).then(function (r) {
        return r.text().then(function (text) {
          if (r.ok) {
            var item = button.closest("li.item");
            item.classList.remove("open");
            item.classList.add("done");
            button.parentNode.textContent = "Done.";
            inboxStatus.textContent = "Marked done.";
            return;
          }
          var message = text;
          try { message = JSON.parse(text).error || text; } catch (e) {}
          inboxStatus.textContent = "Not done (" + r.status + "): " + (r.status === 401 ? "the admin token is wrong." : message);
        });
      }).catch(function (e) { inboxStatus.textContent = "Not done: " + e; });
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
