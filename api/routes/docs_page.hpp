// /docs: a self-contained page that renders /openapi.json (no CDN, works offline).
#pragma once
#include <string_view>

namespace keel::api {

inline constexpr std::string_view docs_page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>keel API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 2rem; color: #1d2330; }
  h1 { margin-bottom: 0; } .sub { color: #667; margin-top: .2rem; }
  details { border: 1px solid #d8dce6; border-radius: 6px; margin: .5rem 0; }
  summary { cursor: pointer; padding: .5rem .8rem; }
  .m { display: inline-block; min-width: 4.5rem; font-weight: 700; font-family: ui-monospace, monospace; }
  .get { color: #1769aa; } .post { color: #2e7d32; } .put, .patch { color: #b26a00; } .delete { color: #c62828; }
  .p { font-family: ui-monospace, monospace; } .s { color: #667; margin-left: .6rem; }
  .body { padding: 0 1rem 1rem; } pre { background: #f5f6fa; padding: .6rem; border-radius: 4px; overflow: auto; }
  table { border-collapse: collapse; } td, th { text-align: left; padding: .2rem .8rem .2rem 0; }
</style>
</head>
<body>
<h1 id="title">API reference</h1>
<p class="sub" id="desc"></p>
<div id="routes">Loading /openapi.json ...</div>
<script>
// Renders each operation with its parameters, body and responses; $refs are shown by name.
const esc = s => String(s).replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
const json = v => '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>';
fetch('/openapi.json').then(r => r.json()).then(doc => {
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('desc').textContent = doc.info.description || '';
  let html = '';
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      html += `<details><summary><span class="m ${method}">${method.toUpperCase()}</span>` +
              `<span class="p">${esc(path)}</span><span class="s">${esc(op.summary || '')}</span></summary><div class="body">`;
      if (op.parameters && op.parameters.length) {
        html += '<h4>Parameters</h4><table>' + op.parameters.map(p =>
          `<tr><td class="p">${esc(p.name)}</td><td>${esc(p.in)}</td><td>${p.required ? 'required' : ''}</td>` +
          `<td>${esc(JSON.stringify(p.schema))}</td></tr>`).join('') + '</table>';
      }
      if (op.requestBody) html += '<h4>Request body</h4>' + json(op.requestBody.content);
      html += '<h4>Responses</h4>';
      for (const [status, r] of Object.entries(op.responses || {})) {
        html += `<p><b>${esc(status)}</b> ${esc(r.description || '')}</p>`;
        if (r.content) html += json(r.content);
      }
      html += '</div></details>';
    }
  }
  html += '<h2>Schemas</h2>' + json((doc.components || {}).schemas || {});
  document.getElementById('routes').innerHTML = html;
}).catch(e => { document.getElementById('routes').textContent = 'Could not load /openapi.json: ' + e; });
</script>
</body>
</html>
)html";

}  // namespace keel::api
