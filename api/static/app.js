// assess2plan — a little vanilla JS: stats, suggestions, feedback, comments, SPARQL editor.
"use strict";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

async function getJSON(url, options) {
  const r = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, options || {}));
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.detail || body.title || ("HTTP " + r.status));
  return body;
}

// ---- home: figures
async function loadStats(box) {
  try {
    const s = await getJSON(box.dataset.src);
    box.replaceChildren(
      el("h2", {}, "The graph in figures"),
      el("p", {}, `${s.species} species assessed, ${s.threatened} threatened (`,
        Object.entries(s.by_category).map(([k, v]) => `${k} ${v}`).join(", "), ")."),
      el("p", {}, `Conservation sections of threatened species: ${s.conservation_section.empty} empty, ` +
        `${s.conservation_section.partial} partial, ${s.conservation_section.complete} complete ` +
        `(mean completeness ${s.mean_completeness}%). ${s.threats_without_action} coded threats ` +
        `have no answering action needed.`),
      el("p", {}, "Commonest threats: " + s.top_threats.slice(0, 5).map(t => `${t.code} ${t.label} (${t.count})`).join("; ")));
  } catch (e) { box.replaceChildren(el("p", { class: "error" }, "Figures unavailable: " + e.message)); }
}

// ---- species page: live suggestions with accept / reject
function who() {
  let name = localStorage.getItem("a2p-who");
  if (!name) { name = prompt("Your name (recorded with your feedback)"); if (name) localStorage.setItem("a2p-who", name); }
  return name;
}

// writes (feedback, comments) carry the write token (A2P_WRITE_TOKEN), kept for this tab only
function writeToken(given) {
  let t = given || sessionStorage.getItem("a2p-token");
  if (!t) t = prompt("Write token (ask the service's operator; needed to record feedback and comments)");
  if (t) sessionStorage.setItem("a2p-token", t);
  return t;
}

async function postWrite(url, data, token) {
  try {
    return await getJSON(url, { method: "POST", body: JSON.stringify(data),
      headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: "Bearer " + token } });
  } catch (e) {
    if (/token/.test(e.message)) sessionStorage.removeItem("a2p-token");
    throw e;
  }
}

async function sendFeedback(s, verdict, cell, assessmentId) {
  const name = who(); if (!name) return;
  const token = writeToken(); if (!token) return;
  try {
    await postWrite("/feedback", { suggestion: { id: s.id, assessment_id: assessmentId, kind: s.kind, code: s.code,
        label: s.label, status: s.status, confidence: s.confidence, field: s.field, start: s.start, end: s.end,
        sentence: s.sentence, model: s.model }, verdict, who: name, institution: localStorage.getItem("a2p-inst") || "" },
      token);
    cell.replaceChildren(verdict === "accept" ? "accepted ✓" : "rejected ✗");
  } catch (e) { cell.replaceChildren(el("span", { class: "error" }, e.message)); }
}

function suggestionTable(title, items, assessmentId) {
  if (!items.length) return el("p", { class: "muted" }, `No ${title.toLowerCase()} suggested.`);
  const body = el("tbody");
  for (const s of items) {
    const fb = el("td");
    fb.append(el("button", { class: "small", onclick: () => sendFeedback(s, "accept", fb, assessmentId) }, "accept"), " ",
      el("button", { class: "small reject", onclick: () => sendFeedback(s, "reject", fb, assessmentId) }, "reject"));
    body.append(el("tr", {}, el("td", {}, s.code), el("td", {}, s.label), el("td", {}, s.status),
      el("td", {}, s.confidence.toFixed(2)), el("td", {}, s.already_coded ? "yes" : "no"),
      el("td", {}, el("q", {}, s.text), " ", el("span", { class: "muted" }, `(${s.field})`)), fb));
  }
  return el("div", {}, el("h3", {}, title), el("table", { class: "compact" },
    el("thead", {}, el("tr", {}, ...["Code", "Label", "Status", "Conf.", "Coded", "Evidence", "Feedback"].map(h => el("th", {}, h)))), body));
}

async function loadSuggestions(box) {
  const assessmentId = document.getElementById("species").dataset.assessment;
  try {
    const r = await getJSON(box.dataset.src);
    const parts = [el("h2", {}, "Suggestions")];
    for (const n of r.notes) parts.push(el("p", { class: "note" }, n));
    for (const w of r.warnings) parts.push(el("p", { class: "warn" }, w.message));
    parts.push(suggestionTable("Actions", r.actions, assessmentId), suggestionTable("Threats", r.threats, assessmentId),
      suggestionTable("Places", r.places, assessmentId));
    if (r.buckets) parts.push(el("h3", {}, "Planning buckets"), el("ul", {}, ...r.buckets.map(b =>
      el("li", {}, `${b.label}: ${(100 * b.probability).toFixed(0)}% — ${b.reasons.join("; ")}`))));
    if (r.coaffected.length) parts.push(el("h3", {}, "Co-affected species"), el("ul", {}, ...r.coaffected.map(c =>
      el("li", {}, el("a", { href: "/species/" + c.taxon_id }, el("em", {}, c.scientific_name)),
        ` ${c.category} — threats ${c.shared_threats.join(", ")} in ${c.shared_countries.join(", ")}`))));
    box.replaceChildren(...parts);
  } catch (e) { box.replaceChildren(el("h2", {}, "Suggestions"), el("p", { class: "error" }, e.message)); }
}

// ---- species page: comments
function commentForm(form) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const status = form.querySelector(".form-status");
    const data = Object.fromEntries(new FormData(form).entries());
    data.species_id = form.dataset.species;
    if (data.institution) localStorage.setItem("a2p-inst", data.institution);
    const token = writeToken(data.token); delete data.token;
    if (!token) { status.textContent = "A write token is needed."; return; }
    try {
      const c = await postWrite("/comments", data, token);
      document.getElementById("no-comments")?.remove();
      document.getElementById("comment-list").prepend(el("li", {}, el("p", {}, c.text),
        el("p", { class: "muted" }, `— ${c.name}${c.institution ? ", " + c.institution : ""}, just now`)));
      form.reset(); status.textContent = "Saved.";
    } catch (e) { status.textContent = e.message; }
  });
}

// ---- SPARQL editor
function renderBindings(box, res) {
  if ("boolean" in res) { box.replaceChildren(el("p", {}, "ASK: " + res.boolean)); return; }
  const vars = res.head.vars;
  const rows = res.results.bindings.map(b => el("tr", {}, ...vars.map(v => el("td", {}, b[v] ? b[v].value : ""))));
  const parts = [el("table", { id: "sparql-table" }, el("thead", {}, el("tr", {}, ...vars.map(v => el("th", {}, v)))), el("tbody", {}, ...rows))];
  if (res.truncated) parts.unshift(el("p", { class: "note" }, res.truncated.message));
  box.replaceChildren(...parts);
}

function sparqlEditor(form) {
  const examples = JSON.parse(document.getElementById("sparql-example-data").textContent);
  const text = document.getElementById("sparql-query");
  document.getElementById("sparql-examples").addEventListener("change", (ev) => {
    if (ev.target.value !== "") text.value = examples[Number(ev.target.value)].text;
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const status = document.getElementById("sparql-status"), box = document.getElementById("sparql-results");
    const accept = document.getElementById("sparql-accept").value;
    status.textContent = "running…"; const t0 = performance.now();
    try {
      const r = await fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", Accept: accept }, body: text.value });
      const ctype = r.headers.get("content-type") || "";
      if (!r.ok) { const p = await r.json().catch(() => ({})); throw new Error((p.title || "error") + ": " + (p.detail || r.status)); }
      if (ctype.includes("json")) renderBindings(box, await r.json());
      else box.replaceChildren(el("pre", {}, await r.text()));
      status.textContent = `${Math.round(performance.now() - t0)} ms` + (r.headers.get("X-A2P-Truncated") ? " (truncated)" : "");
    } catch (e) { status.textContent = ""; box.replaceChildren(el("p", { class: "error" }, e.message)); }
  });
}

// ---- species page: links and pledges, rendered by the server (GET /species/{id}/links?format=html)
async function loadFragment(box) {
  try {
    const r = await fetch(box.dataset.fragment, { headers: { Accept: "text/html" } });
    if (r.ok) box.innerHTML = await r.text();  // server-rendered, escaped by the template engine
  } catch (e) { /* the section keeps its link to the same page */ }
}

document.addEventListener("DOMContentLoaded", () => {
  const links = document.getElementById("links"); if (links) loadFragment(links);
  const stats = document.getElementById("stats"); if (stats) loadStats(stats);
  const sug = document.getElementById("suggestions"); if (sug) loadSuggestions(sug);
  const cf = document.getElementById("comment-form"); if (cf) commentForm(cf);
  const sf = document.getElementById("sparql-form"); if (sf) sparqlEditor(sf);
});
