// The status page's script and style, embedded in the binary: no build
// step, no CDN, and the page works offline. The script only refreshes what
// the server rendered (by fetching the same fragments) and sends override
// changes; every page reads without it.
#include <string_view>

namespace callpolicy::server {

std::string_view status_page_script() {
  return R"JS("use strict";
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
)JS";
}

std::string_view status_page_style() {
  return R"CSS(:root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --focus: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.45 system-ui, "DejaVu Sans", Arial, sans-serif; color: var(--ink); background: #fff; }
a { color: #0b4fa3; }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
header { background: #12324f; padding: 8px 16px; }
header a { color: #fff; margin-right: 16px; font-weight: 600; }
main { padding: 16px; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.8rem; }
h2 { font-size: 1.25rem; margin-top: 1.6rem; }
.id, .zone, .count, .state { color: var(--muted); font-size: 0.9rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.search { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 8px; }
.search label { width: 100%; font-weight: 600; }
input, select, button { font: inherit; padding: 6px 8px; border: 1px solid #767676; border-radius: 4px; }
input[type=search], input[type=text], input[type=password], input[type=tel] { min-width: 16rem; max-width: 100%; }
button { background: #12324f; color: #fff; border-color: #12324f; cursor: pointer; }
button#ov-clear { background: #fff; color: #12324f; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 8px; border-bottom: 1px solid var(--line); }
thead th { border-bottom: 2px solid var(--ink); }
ul.answers { list-style: none; margin: 0; padding: 0; }
.answer { margin: 2px 0; }
.answer .via { display: inline-block; min-width: 5.5rem; color: var(--muted); }
.answer .action { padding: 1px 6px; border-radius: 4px; color: #fff; }
.answer.ai .action { background: #1b5e20; }
.answer.voicemail .action { background: #0d47a1; }
.answer.forward .action { background: #8a3c00; }
.answer.busy .action { background: #b71c1c; }
.answer.menu .action { background: #4a148c; }
.answer .reason, .override + .reason { color: var(--muted); }
.answer .until { display: block; padding-left: 5.5rem; color: var(--muted); font-size: 0.9rem; }
.override { font-weight: 600; color: #8a3c00; }
.busy { color: #b71c1c; }
.note { color: #b71c1c; font-size: 0.85rem; }
td { overflow-wrap: anywhere; }
.call-sid { font-family: "DejaVu Sans Mono", monospace; font-size: 0.8rem; }
.banner { border: 2px solid #b71c1c; background: #fff4f4; padding: 8px 12px; margin: 8px 0; }
.diagnostic { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85rem; }
pre { background: #f4f4f4; padding: 8px; overflow-x: auto; font-size: 0.85rem; }
/* On a phone the week keeps a readable size and scrolls sideways in its box. */
.week { overflow-x: auto; }
.week svg { min-width: 760px; max-width: 100%; height: auto; }
.override-form div, .dry div { margin: 8px 0; }
.override-form label, .dry label { display: block; font-weight: 600; }
.buttons { display: flex; gap: 8px; flex-wrap: wrap; }
dl.result { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dl.result dt { font-weight: 600; }
dl.result dd { margin: 0; }
.error { color: #b71c1c; font-weight: 600; }
/* A phone: each row a card, each cell with its column's name. */
@media (max-width: 640px) {
  main { padding: 8px; }
  table.cards thead { position: absolute; left: -9999px; }
  table.cards caption { text-align: left; font-weight: 600; }
  table.cards tr { display: block; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 10px; padding: 4px; }
  table.cards th, table.cards td { display: block; border: 0; padding: 4px 8px; }
  table.cards td[data-label]::before { content: attr(data-label); display: block; font-size: 0.8rem; color: var(--muted); }
  input[type=search], input[type=text], input[type=password], input[type=tel] { min-width: 0; width: 100%; }
  input, select { max-width: 100%; }
  dl.result { grid-template-columns: 1fr; }
}
)CSS";
}

}  // namespace callpolicy::server
