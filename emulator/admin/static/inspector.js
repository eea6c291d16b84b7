// The chat-emulator inspector: lists journal entries live (SSE, polling as a fallback), shows one in
// detail (request, response, stream chunks with their timing), the loaded scenarios and the client checks.
// Plain JavaScript, no build step, no dependencies.
"use strict";

const base = location.pathname.replace(/\/+$/, "");            // ".../_emulator"
const token = new URLSearchParams(location.search).get("token");
const rows = new Map();                                          // id -> summary
let lastId = 0;
let selectedId = null;
let source = null;
let pollTimer = null;
let reloadTimer = null;
let scenarioTimer = null;
let checksTimer = null;

const $ = (id) => document.getElementById(id);

function withToken(url) {
  if (!token) return url;
  return url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(base + path, Object.assign({}, options, { headers }));
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : response.statusText;
    throw new Error(message);
  }
  return body;
}

// --- filters -----------------------------------------------------------------------------------
function filters() {
  return { path: $("filter-path").value.trim(), status: $("filter-status").value, q: $("filter-text").value.trim() };
}

function query(extra) {
  const params = new URLSearchParams();
  const f = Object.assign(filters(), extra || {});
  for (const [key, value] of Object.entries(f)) if (value !== "" && value != null) params.set(key, value);
  const text = params.toString();
  return text ? "?" + text : "";
}

function passesLocalFilters(entry) {
  const f = filters();
  if (f.path && !entry.path.includes(f.path)) return false;
  if (f.status && String(entry.status)[0] !== f.status[0]) return false;
  return true;
}

// --- the request list ----------------------------------------------------------------------------
function fmtTime(seconds) {
  const d = new Date(seconds * 1000);
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  if (className) td.className = className;
  td.title = td.textContent;
  return td;
}

// How long a request took: until its last byte (a paced stream's whole time), with the time to the
// first chunk beside it for streams.
function fmtMs(ms) {
  return ms >= 1000 ? (ms / 1000).toFixed(2) + " s" : ms.toFixed(1) + " ms";
}

function durationText(entry) {
  return entry.delivery === "sending" ? "sending…" : fmtMs(entry.duration_ms);
}

function durationTitle(entry) {
  const parts = [entry.delivery === "sending" ? "still sending" : `${fmtMs(entry.duration_ms)} to the last byte`];
  if (entry.ttft_ms != null) parts.push(`${fmtMs(entry.ttft_ms)} to the first chunk`);
  return parts.join("; ");
}

function renderRow(entry) {
  const tr = document.createElement("tr");
  tr.dataset.id = entry.id;
  const usage = entry.usage;
  const path = cell(entry.path + (entry.query ? "?" + entry.query : ""));  // key-like parameters come masked
  if (entry.stream) path.insertAdjacentHTML("beforeend", '<span class="tag">stream</span>');
  const fault = entry.chaos || entry.fault;                    // named, so no markup can come in
  if (fault) {
    const tag = document.createElement("span");
    tag.className = "tag fault";
    tag.textContent = (entry.chaos ? "chaos: " : "") + fault;
    path.append(tag);
  }
  tr.append(
    cell(fmtTime(entry.time)), cell(entry.method), path, cell(entry.model),
    cell(entry.matched || "—", entry.matched === "builtin" ? "matched matched-builtin" : "matched"),
    cell(entry.status, "status status-" + String(entry.status)[0]),
    cell(durationText(entry), "num duration"),
    cell(entry.ttft_ms != null ? fmtMs(entry.ttft_ms) : "", "num ttft"),
    cell(usage ? usage.total_tokens : "", "num tokens"),
  );
  tr.querySelector(".duration").title = durationTitle(entry);
  if (usage) {
    tr.lastChild.title = usage.completion_tokens == null
      ? `${usage.prompt_tokens} input tokens`  // embeddings count only their input
      : `${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens`;
  }
  if (entry.error) tr.title = entry.error;
  if (entry.id === selectedId) tr.classList.add("selected");
  tr.addEventListener("click", () => select(entry.id));
  return tr;
}

function addEntry(entry) {
  if (rows.has(entry.id)) return;
  rows.set(entry.id, entry);
  lastId = Math.max(lastId, entry.id);
  $("requests").tBodies[0].prepend(renderRow(entry));
  $("empty").hidden = true;
}

// A stream that has ended: its row (and its open detail) now show the time to the last byte.
function updateEntry(entry) {
  const old = rows.get(entry.id);
  if (!old) return;
  rows.set(entry.id, entry);
  const tr = $("requests").querySelector(`tbody tr[data-id="${entry.id}"]`);
  if (tr) tr.replaceWith(renderRow(entry));
  if (selectedId === entry.id) select(entry.id);
}

function clearList() {
  rows.clear();
  $("requests").tBodies[0].replaceChildren();
  $("empty").hidden = false;
}

async function reload() {
  try {
    const body = await api("/requests" + query());
    clearList();
    for (const entry of body.data) addEntry(entry);
    showStats(body.journal);
  } catch (error) {
    showError(error);
  }
}

function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(reload, 250);
}

function onNewEntry(entry) {
  lastId = Math.max(lastId, entry.id);
  if (filters().q) scheduleReload();                   // text search needs the server
  else if (passesLocalFilters(entry)) addEntry(entry);
  scheduleScenarios();
  scheduleChecks();
}

function showStats(stats) {
  if (!stats) return;
  const kb = (stats.bytes / 1024).toFixed(0);
  $("journal-stats").textContent = `${stats.entries} in journal (${kb} KB)` +
    (stats.dropped ? `, ${stats.dropped} oldest dropped` : "");
}

function showError(error) {
  $("live").textContent = "error: " + error.message;
  $("live").className = "badge";
}

// --- live updates: SSE, else polling ---------------------------------------------------------------
function connect() {
  if (!window.EventSource) return startPolling();
  source = new EventSource(withToken(base + "/requests/stream?after=" + lastId));
  source.addEventListener("open", () => { $("live").textContent = "live"; $("live").className = "badge live"; });
  source.addEventListener("request", (event) => onNewEntry(JSON.parse(event.data)));
  source.addEventListener("updated", (event) => updateEntry(JSON.parse(event.data)));
  source.addEventListener("cleared", () => { clearList(); closeDetail(); scheduleScenarios(); scheduleChecks(); });
  source.addEventListener("resync", reload);
  source.addEventListener("error", () => {
    // EventSource reconnects by itself; if the server refuses outright, poll instead.
    if (source.readyState === EventSource.CLOSED) { source = null; startPolling(); }
    else { $("live").textContent = "reconnecting…"; $("live").className = "badge"; }
  });
}

function startPolling() {
  $("live").textContent = "polling";
  $("live").className = "badge polling";
  clearInterval(pollTimer);
  pollTimer = setInterval(async () => {
    try {
      const body = await api("/requests?after=" + lastId);
      body.data.forEach(onNewEntry);
      showStats(body.journal);
    } catch (error) { showError(error); }
  }, 1500);
}

// --- one request in detail ----------------------------------------------------------------------------
function pretty(value) {
  return value == null ? "(none)" : JSON.stringify(value, null, 2);
}

// An embeddings answer holds thousands of numbers per vector: each is shown as a one-line summary.
function shownResponse(response) {
  if (!response || response.object !== "list" || !Array.isArray(response.data)) return response;
  if (!response.data.every((item) => item && item.object === "embedding")) return response;
  const summary = (vector) => Array.isArray(vector)
    ? `<${vector.length} floats: ${vector.slice(0, 4).map((x) => x.toFixed(4)).join(", ")}, …>`
    : `<base64: ${Math.floor((String(vector).length * 3) / 16)} float32 values>`;
  return Object.assign({}, response, {
    data: response.data.map((item) => Object.assign({}, item, { embedding: summary(item.embedding) })),
  });
}

function chunkDelta(data) {
  const text = data.replace(/^data: /, "").trim();
  if (text === "[DONE]") return "[DONE]";
  try {
    const chunk = JSON.parse(text);
    if (chunk.error) return "error: " + chunk.error.message;
    const choice = (chunk.choices || [])[0];
    if (!choice) return chunk.usage ? `usage: ${chunk.usage.total_tokens} tokens` : "";
    const delta = choice.delta || {};
    if (delta.content) return delta.content;
    if (delta.refusal) return "refusal: " + delta.refusal;
    if (delta.tool_calls) return delta.tool_calls.map((c) => (c.function && (c.function.name || "") + (c.function.arguments || "")) || "").join(" ");
    if (choice.finish_reason) return "finish_reason: " + choice.finish_reason;
    if (delta.role) return "role: " + delta.role;
    return "";
  } catch (_) {
    return text;
  }
}

function renderChunks(events) {
  const body = $("chunks").tBodies[0];
  body.replaceChildren();
  let previous = null;
  events.forEach((event, index) => {
    const tr = document.createElement("tr");
    const offset = event.offset_ms;
    const gap = offset != null && previous != null ? offset - previous : null;
    tr.append(
      cell(index, "num"),
      cell(offset != null ? offset.toFixed(1) + " ms" : "—", "num"),
      cell(gap != null ? "+" + gap.toFixed(1) : "", "num"),
      cell(chunkDelta(event.data), "delta"),
      cell(event.data.trim(), "event"),
    );
    body.append(tr);
    if (offset != null) previous = offset;
  });
  const sent = events.filter((e) => e.offset_ms != null);
  $("stream-summary").textContent = sent.length
    ? `${events.length} events; first after ${sent[0].offset_ms.toFixed(1)} ms, last after ${sent[sent.length - 1].offset_ms.toFixed(1)} ms.`
    : `${events.length} events; no send times recorded (not sent yet, the client left, or a fault shaped the stream).`;
}

async function select(id) {
  selectedId = id;
  for (const tr of $("requests").tBodies[0].rows) tr.classList.toggle("selected", Number(tr.dataset.id) === id);
  let entry;
  try { entry = await api("/requests/" + id); } catch (error) { return showError(error); }
  $("detail-pane").hidden = false;
  document.querySelector("main").classList.add("with-detail");
  $("detail-title").textContent = `#${entry.id} ${entry.method} ${entry.path}${entry.query ? "?" + entry.query : ""}`;
  $("detail-meta").textContent = [
    fmtTime(entry.time), "status " + entry.status, entry.model, "matched " + (entry.matched || "nothing"),
    entry.delivery === "sending" ? "sending…" : fmtMs(entry.duration_ms) + " to the last byte",
    entry.ttft_ms != null ? fmtMs(entry.ttft_ms) + " to the first chunk" : "", entry.truncated ? "large strings truncated" : "",
    entry.delivery ? "delivery " + entry.delivery : "", entry.fault ? "fault " + entry.fault : "",
    entry.chaos ? "chaos " + entry.chaos : "",
  ].filter(Boolean).join(" · ");
  $("request-body").textContent = pretty(entry.request);
  $("response-body").textContent = pretty(shownResponse(entry.response));
  $("request-headers").textContent = pretty(entry.headers);
  $("stream-tab").hidden = !entry.events;
  if (entry.events) renderChunks(entry.events);
  else if (currentTab() === "stream") showTab("response");
}

function closeDetail() {
  selectedId = null;
  $("detail-pane").hidden = true;
  document.querySelector("main").classList.remove("with-detail");
  for (const tr of $("requests").tBodies[0].rows) tr.classList.remove("selected");
}

function currentTab() {
  const active = document.querySelector(".tabs button.active");
  return active ? active.dataset.tab : "request";
}

function showTab(name) {
  for (const button of document.querySelectorAll(".tabs button")) button.classList.toggle("active", button.dataset.tab === name);
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== "tab-" + name;
}

// --- scenarios -----------------------------------------------------------------------------------------
function scheduleScenarios() {
  clearTimeout(scenarioTimer);
  scenarioTimer = setTimeout(loadScenarios, 150);
}

async function loadScenarios() {
  api("/health").then((health) => showStats(health.journal)).catch(() => {});
  let body;
  try { body = await api("/scenarios"); } catch (_) { return; }
  const tbody = $("scenarios").tBodies[0];
  tbody.replaceChildren();
  for (const scenario of body.data) {
    const tr = document.createElement("tr");
    tr.append(cell(scenario.name), cell(scenario.times_matched, "num"));
    tr.title = `${scenario.source}${scenario.line ? ":" + scenario.line : ""}`;
    if (!scenario.times_matched) tr.classList.add("unused");
    tbody.append(tr);
  }
  $("no-scenarios").hidden = body.data.length > 0;
  $("near-miss").textContent = body.last_miss || "None yet.";
}

// --- client checks (GET /client-checks) ----------------------------------------------------------------
const CHECK_SECTIONS = ["retries", "streams", "agents", "hygiene"];

function scheduleChecks() {
  clearTimeout(checksTimer);
  checksTimer = setTimeout(loadChecks, 600);
}

async function loadChecks() {
  let report;
  try { report = await api("/client-checks"); } catch (error) { $("checks-summary").textContent = error.message; return; }
  const findings = CHECK_SECTIONS.flatMap((section) => report[section].findings);
  const summary = $("checks-summary");
  summary.className = findings.length ? "" : "ok muted";
  summary.textContent = findings.length
    ? `${findings.length} problem${findings.length === 1 ? "" : "s"} in ${report.requests} requests:`
    : `No problems in ${report.requests} requests (${report.retries.chains.length} failed, ` +
      `${report.streams.streams.length} streams, ${report.agents.conversations.length} conversations).`;
  const list = $("checks-findings");
  list.replaceChildren();
  for (const finding of findings) {
    const li = document.createElement("li");
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = finding.check;
    li.append(tag, finding.message);
    li.dataset.requests = finding.requests.join(" ");
    li.title = "Open request #" + finding.requests[0];
    li.addEventListener("click", () => select(finding.requests[0]));
    list.append(li);
  }
}

// --- start --------------------------------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", async () => {
  $("base-url").textContent = location.origin + "/v1";
  $("clear").addEventListener("click", async () => {
    try { await api("/requests", { method: "DELETE" }); clearList(); closeDetail(); } catch (error) { showError(error); }
  });
  $("close-detail").addEventListener("click", closeDetail);
  $("run-checks").addEventListener("click", loadChecks);
  for (const button of document.querySelectorAll(".tabs button")) button.addEventListener("click", () => showTab(button.dataset.tab));
  $("filter-path").addEventListener("input", scheduleReload);
  $("filter-status").addEventListener("change", scheduleReload);
  $("filter-text").addEventListener("input", scheduleReload);
  api("/version").then((v) => { $("version").textContent = "v" + v.version; }).catch(() => {});
  await reload();
  loadScenarios();
  loadChecks();
  connect();
});
