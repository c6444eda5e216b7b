// The playground: submit the editor's program, follow the job's SSE stream, show the video,
// its assets and errors, and the tenant's history. Plain browser JavaScript, no build step;
// only the editor (static/vendor/editor.js) is bundled.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const KEY_STORAGE = "varg-render.key";
  const DRAFT_STORAGE = "varg-render.draft";
  const TERMINAL = new Set(["completed", "failed", "cancelled"]);
  const HISTORY_PAGE = 20;

  const state = {
    key: "",
    jobId: null,
    job: null,
    stream: null,
    startedAt: 0,
    ticker: null,
    submitting: false,
    // Jobs submitted from this editor: only their errors are marked in the code.
    fromEditor: new Set(),
    historyCursor: null,
  };

  // ---------- the service key ----------

  function takeKeyFromUrl() {
    // The start-up link is `/#key=...`: keep the key, then drop it from the address bar.
    const params = new URLSearchParams(location.hash.slice(1));
    const key = params.get("key");
    if (key) {
      localStorage.setItem(KEY_STORAGE, key.trim());
      history.replaceState(null, "", location.pathname + location.search);
    }
    state.key = (localStorage.getItem(KEY_STORAGE) || "").trim();
    showKeyButton();
  }

  function showKeyButton() {
    const button = $("key-button");
    button.textContent = state.key ? `Key ••••${state.key.slice(-4)}` : "Set service key";
    button.classList.toggle("primary", !state.key);
  }

  function openKeyDialog(message, keepInput) {
    const dialog = $("key-dialog");
    if (!keepInput) $("key-input").value = state.key;
    $("key-error").hidden = !message;
    $("key-error").textContent = message || "";
    if (!dialog.open) dialog.showModal();
    $("key-input").focus();
  }

  async function saveKey(event) {
    event.preventDefault();
    const key = $("key-input").value.trim();
    if (!key) return;
    const res = await fetch("/api/render/jobs?limit=1", { headers: { Authorization: `Bearer ${key}` } }).catch(() => null);
    if (!res || res.status === 401) {
      openKeyDialog(res ? "The server refused this key." : "The server did not answer.", true);
      return;
    }
    state.key = key;
    localStorage.setItem(KEY_STORAGE, key);
    showKeyButton();
    $("key-dialog").close();
    loadHistory(true);
  }

  function keyRefused() {
    openKeyDialog("The server refused the saved key: enter the one it printed at start-up.");
  }

  const auth = () => ({ Authorization: `Bearer ${state.key}` });

  async function api(path, options = {}) {
    const res = await fetch(path, { ...options, headers: { ...auth(), ...(options.headers || {}) } });
    const body = await res.json().catch(() => null);
    if (res.status === 401) keyRefused();
    return { res, body };
  }

  // ---------- editor and examples ----------

  let editor;
  let draftTimer;

  function setupEditor(initial) {
    editor = window.VargEditor.create($("editor"), {
      doc: initial,
      onRun: render,
      onChange: () => {
        clearTimeout(draftTimer);
        draftTimer = setTimeout(() => localStorage.setItem(DRAFT_STORAGE, editor.getCode()), 400);
      },
    });
  }

  async function loadExamples() {
    const select = $("examples");
    const res = await fetch("/static/examples/index.json").catch(() => null);
    const list = res && res.ok ? await res.json() : [];
    for (const example of list) {
      const option = document.createElement("option");
      option.value = example.file;
      option.textContent = `${example.title} — ${example.description}`;
      select.append(option);
    }
    return list;
  }

  async function exampleCode(file) {
    const res = await fetch(`/static/examples/${encodeURIComponent(file)}`);
    if (!res.ok) throw new Error(`cannot load ${file}`);
    return res.text();
  }

  async function loadExample() {
    const file = $("examples").value;
    if (!file) return;
    try {
      editor.setCode(await exampleCode(file));
      localStorage.setItem(DRAFT_STORAGE, editor.getCode());
      editor.focus();
    } catch (e) {
      showError(String(e.message || e));
    }
  }

  // ---------- rendering ----------

  const mode = () => document.querySelector('input[name="mode"]:checked').value;

  async function render() {
    if (state.submitting) return;
    if (!state.key) {
      openKeyDialog();
      return;
    }
    state.submitting = true;
    $("render").disabled = true;
    editor.clearError();
    hideError();
    stopFollowing();
    resetResult();
    setStatus("submitting", "Submitting the program…");
    setProgress(0);
    const body = { code: editor.getCode(), mode: mode() };
    const gateway = $("gateway-key").value.trim();
    if (gateway) body.gatewayApiKey = gateway;
    try {
      const { res, body: answer } = await api("/api/render", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.status === 401) {
        setStatus("error", "The service key was refused.");
        return;
      }
      if (!res.ok) {
        const error = (answer && answer.error) || { message: `the server answered ${res.status}` };
        const where = error.details && error.details.line ? " (see the marked line)" : "";
        setStatus("error", `${error.code === "invalid_code" ? "Syntax error" : "Not accepted"}${where}`);
        showError(error.message, error.details, true);
        return;
      }
      state.fromEditor.add(answer.job_id);
      const waiting = answer.queue && answer.queue.waiting;
      follow(answer.job_id, {
        job_id: answer.job_id,
        status: answer.status,
        progress: 0,
        progress_message: answer.status === "queued" ? `waiting for a worker (${waiting} in the queue)` : "starting",
      });
      loadHistory(true);
    } catch (e) {
      setStatus("error", "The server did not answer.");
      showError(String(e.message || e));
    } finally {
      state.submitting = false;
      $("render").disabled = false;
    }
  }

  async function cancel() {
    const id = state.jobId;
    if (!id) return;
    $("cancel").disabled = true;
    const { res, body } = await api(`/api/render/jobs/${id}/cancel`, { method: "POST" });
    if (res.ok && body) {
      showJob(body);
    } else if (body && body.error) {
      showError(body.error.message);
    }
    loadHistory(true);
  }

  // ---------- following a job ----------

  function stopFollowing() {
    if (state.stream) state.stream.abort();
    state.stream = null;
    clearInterval(state.ticker);
    state.ticker = null;
  }

  function follow(id, initial) {
    stopFollowing();
    state.jobId = id;
    state.startedAt = Date.now();
    state.ticker = setInterval(showElapsed, 250);
    markCurrentInHistory();
    if (initial) showJob(initial);
    const controller = new AbortController();
    state.stream = controller;
    stream(id, controller.signal).catch((e) => {
      if (!controller.signal.aborted) showError(`Lost the job's event stream: ${e.message || e}`);
    });
  }

  // EventSource cannot send an Authorization header, so the stream is read with fetch. A
  // dropped connection resumes with Last-Event-ID, as the server supports.
  async function stream(id, signal) {
    let lastId = null;
    for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
      const headers = { ...auth(), Accept: "text/event-stream" };
      if (lastId) headers["Last-Event-ID"] = lastId;
      let res;
      try {
        res = await fetch(`/api/render/jobs/${id}/stream`, { headers, signal });
      } catch (e) {
        if (signal.aborted) return;
        await sleep(500 * (attempt + 1));
        continue;
      }
      if (res.status === 401) return keyRefused();
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        throw new Error(body && body.error ? body.error.message : `status ${res.status}`);
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let ended = false;
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, "\n");
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const event = parseEvent(buffer.slice(0, cut));
            buffer = buffer.slice(cut + 2);
            if (!event) continue;
            if (event.id) lastId = event.id;
            const job = JSON.parse(event.data);
            if (state.jobId === id) showJob(job);
            updateHistoryItem(job);
            if (TERMINAL.has(job.status)) ended = true;
          }
        }
      } catch (e) {
        if (signal.aborted) return;
      }
      if (ended) {
        loadHistory(true);
        return;
      }
      await sleep(500 * (attempt + 1));
    }
  }

  function parseEvent(frame) {
    let id = null;
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    return data.length ? { id, event, data: data.join("\n") } : null;
  }

  // ---------- showing a job ----------

  function showJob(job) {
    // A job starting or ending changes how busy the workers are.
    if (!state.job || state.job.job_id !== job.job_id || state.job.status !== job.status) checkServer();
    state.job = job;
    const terminal = TERMINAL.has(job.status);
    $("cancel").disabled = terminal;
    const progress = job.status === "completed" ? 1 : job.progress || 0;
    setProgress(progress, job.status);
    const percent = Math.round(progress * 100);
    const messages = {
      queued: job.progress_message || "waiting for a worker",
      rendering: `${job.progress_message || "rendering"} · ${percent}%`,
      completed: job.duration_ms != null ? `Done in ${seconds(job.duration_ms)}` : "Done",
      failed: job.error || "The job failed",
      cancelled: job.progress > 0 ? `Cancelled at ${percent}%` : "Cancelled before it started",
    };
    setStatus(job.status, messages[job.status] || job.status);
    if (terminal) {
      // The status line says how long it took; the ticking clock has done its job.
      clearInterval(state.ticker);
      state.ticker = null;
      $("elapsed").textContent = "";
    }
    if (job.status === "completed") showVideo(job);
    if (job.status === "failed") {
      const mark = state.fromEditor.has(job.job_id);
      showError(job.error || "The job failed", job.error_details, mark);
    }
    showWarnings(job.warnings || []);
    if (terminal || (job.files && job.files.length)) showAssets(job.files || []);
  }

  function showVideo(job) {
    const video = $("video");
    if (!job.output_url || video.dataset.job === job.job_id) return;
    video.dataset.job = job.job_id;
    video.poster = job.thumbnail_url || "";
    video.src = job.output_url;
    video.hidden = false;
    $("placeholder").hidden = true;
    const meta = $("result-meta");
    meta.replaceChildren();
    meta.hidden = false;
    const chip = (label, value) => {
      const span = document.createElement("span");
      span.className = "chip";
      span.append(`${label} `);
      const b = document.createElement("b");
      b.textContent = value;
      span.append(b);
      meta.append(span);
      return b;
    };
    const length = chip("length", "…");
    video.addEventListener("loadedmetadata", () => {
      length.textContent = `${video.duration.toFixed(2)} s · ${video.videoWidth}×${video.videoHeight}`;
    }, { once: true });
    chip("mode", job.mode || "");
    if (job.duration_ms != null) chip("rendered in", seconds(job.duration_ms));
    const t = job.timings;
    if (t) {
      chip("eval", `${t.eval_ms} ms`);
      chip("assets", `${t.generate_ms} ms`);
      chip("frames", seconds(t.compose_ms));
      chip("encode", seconds(t.encode_ms));
    }
    const download = document.createElement("span");
    download.className = "chip";
    const link = document.createElement("a");
    link.href = job.output_url;
    link.download = `${job.job_id}.mp4`;
    link.textContent = "Download MP4";
    download.append(link);
    meta.append(download);
  }

  function showAssets(files) {
    const grid = $("assets");
    grid.replaceChildren();
    $("assets-head").hidden = files.length === 0;
    $("assets-count").textContent = files.length ? `${files.length} file${files.length > 1 ? "s" : ""}` : "";
    for (const file of files) {
      const meta = file.metadata || {};
      const card = document.createElement("figure");
      card.className = "asset";
      card.style.margin = "0";
      const type = (file.mediaType || "").split("/")[0];
      let media;
      if (type === "image") {
        media = document.createElement("img");
        media.loading = "lazy";
        media.alt = meta.prompt || "generated image";
        media.src = file.url;
        const link = document.createElement("a");
        link.href = file.url;
        link.target = "_blank";
        link.rel = "noopener";
        link.append(media);
        media = link;
      } else if (type === "audio") {
        media = document.createElement("audio");
        media.controls = true;
        media.preload = "none";
        media.src = file.url;
      } else if (type === "video") {
        media = document.createElement("video");
        media.controls = true;
        media.muted = true;
        media.preload = "metadata";
        media.src = file.url;
      } else {
        media = document.createElement("a");
        media.href = file.url;
        media.textContent = file.mediaType || "file";
      }
      const caption = document.createElement("figcaption");
      caption.className = "caption";
      caption.textContent = meta.prompt || meta.src || meta.text || file.mediaType;
      caption.title = caption.textContent;
      const badges = document.createElement("div");
      badges.className = "badges";
      const badge = (text, cls) => {
        const b = document.createElement("span");
        b.className = `badge ${cls || ""}`;
        b.textContent = text;
        badges.append(b);
      };
      badge(meta.type || type || "file");
      if (meta.model) badge(meta.model);
      if (meta.placeholder) badge("placeholder", "placeholder");
      if (meta.cached) badge("cached", "cached");
      card.append(media, caption, badges);
      grid.append(card);
    }
  }

  function showWarnings(warnings) {
    const box = $("warnings");
    box.hidden = warnings.length === 0;
    if (!warnings.length) return;
    box.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`;
    const list = document.createElement("ul");
    for (const w of warnings) {
      const li = document.createElement("li");
      li.textContent = w;
      list.append(li);
    }
    box.append(title, list);
  }

  function resetResult() {
    const video = $("video");
    video.pause();
    video.removeAttribute("src");
    video.removeAttribute("poster");
    delete video.dataset.job;
    video.load();
    video.hidden = true;
    $("placeholder").hidden = false;
    $("result-meta").hidden = true;
    $("warnings").hidden = true;
    $("assets").replaceChildren();
    $("assets-head").hidden = true;
    $("elapsed").textContent = "";
  }

  function setStatus(status, text) {
    const pill = $("status-pill");
    pill.className = `pill ${status}`;
    pill.textContent = status;
    $("status-text").textContent = text;
    $("status-text").title = text;
    document.body.dataset.status = status;
  }

  function setProgress(value, status) {
    const clamped = Math.max(0, Math.min(1, Number(value) || 0));
    const bar = $("progress");
    bar.setAttribute("aria-valuenow", clamped.toFixed(3));
    bar.className = `progress ${status === "completed" ? "done" : status === "rendering" || status === "queued" ? "active" : status || ""}`;
    $("progress-fill").style.width = `${(clamped * 100).toFixed(1)}%`;
  }

  function showElapsed() {
    $("elapsed").textContent = seconds(Date.now() - state.startedAt);
  }

  function showError(message, details, markInEditor) {
    const box = $("error");
    box.replaceChildren();
    box.hidden = false;
    if (details && details.line) {
      const where = document.createElement("span");
      where.className = "where";
      where.textContent = details.column ? `line ${details.line}:${details.column}` : `line ${details.line}`;
      where.title = "Show in the editor";
      where.onclick = () => editor.showError({ line: details.line, column: details.column, message });
      box.append(where);
      if (markInEditor) editor.showError({ line: details.line, column: details.column, message });
    }
    box.append(message);
  }

  function hideError() {
    $("error").hidden = true;
    $("error").replaceChildren();
  }

  // ---------- history ----------

  async function loadHistory(reset) {
    if (!state.key) return;
    if (reset) state.historyCursor = null;
    const params = new URLSearchParams({ limit: String(HISTORY_PAGE) });
    const filter = $("history-filter").value;
    if (filter) params.set("status", filter);
    if (state.historyCursor) params.set("cursor", state.historyCursor);
    const { res, body } = await api(`/api/render/jobs?${params}`).catch(() => ({ res: null }));
    if (!res || !res.ok || !body) return;
    const list = $("history");
    if (reset) list.replaceChildren();
    for (const job of body.jobs) list.append(historyItem(job));
    if (!list.children.length) {
      const empty = document.createElement("li");
      empty.className = "history-empty";
      empty.textContent = filter ? "No jobs with this status." : "No jobs yet: render something.";
      list.append(empty);
    }
    state.historyCursor = body.next_cursor || null;
    $("history-more").hidden = !state.historyCursor;
    markCurrentInHistory();
  }

  function historyItem(job) {
    const li = document.createElement("li");
    li.dataset.id = job.job_id;
    li.tabIndex = 0;
    fillHistoryItem(li, job);
    const open = () => selectJob(job.job_id);
    li.onclick = open;
    li.onkeydown = (e) => {
      if (e.key === "Enter") open();
    };
    return li;
  }

  function fillHistoryItem(li, job) {
    li.replaceChildren();
    li.dataset.status = job.status;
    const thumb = document.createElement("div");
    thumb.className = "thumb";
    if (job.thumbnail_url) thumb.style.backgroundImage = `url("${job.thumbnail_url}")`;
    else thumb.textContent = { failed: "✕", cancelled: "■", queued: "…", rendering: "▶" }[job.status] || "";
    const text = document.createElement("div");
    const line1 = document.createElement("div");
    line1.className = "line1";
    const id = document.createElement("span");
    id.className = "id";
    id.textContent = job.job_id.slice(0, 8);
    const pill = document.createElement("span");
    pill.className = `pill ${job.status}`;
    pill.textContent = job.status;
    line1.append(id, pill);
    const line2 = document.createElement("div");
    line2.className = "line2";
    const parts = [ago(job.created_at)];
    if (job.duration_ms != null) parts.push(seconds(job.duration_ms));
    if (job.status === "rendering") parts.push(`${Math.round((job.progress || 0) * 100)}%`);
    if (job.error && job.status === "failed") parts.push(job.error);
    line2.textContent = parts.join(" · ");
    line2.title = line2.textContent;
    text.append(line1, line2);
    li.append(thumb, text);
  }

  function updateHistoryItem(job) {
    const li = document.querySelector(`#history li[data-id="${job.job_id}"]`);
    if (li) fillHistoryItem(li, job);
  }

  function markCurrentInHistory() {
    for (const li of document.querySelectorAll("#history li")) {
      li.classList.toggle("current", li.dataset.id === state.jobId);
    }
  }

  async function selectJob(id) {
    const { res, body } = await api(`/api/render/jobs/${id}`);
    if (!res.ok || !body) return;
    hideError();
    editor.clearError();
    resetResult();
    if (TERMINAL.has(body.status)) {
      stopFollowing();
      state.jobId = id;
      markCurrentInHistory();
      showJob(body);
    } else {
      follow(id, body);
    }
  }

  // ---------- server state ----------

  async function checkServer() {
    const el = $("server-state");
    try {
      const res = await fetch("/readyz");
      const body = await res.json();
      el.className = `server-state ${res.ok ? "ready" : "down"}`;
      $("server-text").textContent = res.ok
        ? `ready · ${body.workers_busy}/${body.workers} workers busy`
        : "not ready";
    } catch {
      el.className = "server-state down";
      $("server-text").textContent = "unreachable";
    }
  }

  // ---------- helpers ----------

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function seconds(ms) {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
  }

  function ago(time) {
    const s = Math.max(0, (Date.now() - new Date(time).getTime()) / 1000);
    if (s < 45) return "just now";
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    return new Date(time).toLocaleDateString();
  }

  // ---------- start ----------

  async function start() {
    takeKeyFromUrl();
    const draft = localStorage.getItem(DRAFT_STORAGE);
    setupEditor(draft || "");
    const examples = await loadExamples();
    if (!draft && examples.length) {
      editor.setCode(await exampleCode(examples[0].file).catch(() => ""));
    }
    $("examples").onchange = loadExample;
    $("render").onclick = render;
    $("cancel").onclick = cancel;
    $("key-button").onclick = () => openKeyDialog();
    $("key-form").onsubmit = saveKey;
    $("key-close").onclick = () => $("key-dialog").close();
    $("history-filter").onchange = () => loadHistory(true);
    $("history-refresh").onclick = () => loadHistory(true);
    $("history-more").onclick = () => loadHistory(false);
    checkServer();
    setInterval(checkServer, 10000);
    if (state.key) loadHistory(true);
    else openKeyDialog();
    document.body.dataset.ready = "true";
  }

  start();
})();
