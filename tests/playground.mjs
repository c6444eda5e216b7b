// Drives the real playground page in headless Chromium, as a person would: enter the key, load
// an example, render it, watch the progress bar move and the video become playable, see an
// error marked at its line, then cancel a long render. A screenshot of each step goes to
// $VARG_ARTIFACTS. Run by tests/playground.rs (`cargo test`), which starts the server.
//
//   VARG_RENDER_URL=http://127.0.0.1:8080 VARG_API_KEY=... node tests/playground.mjs

import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = required("VARG_RENDER_URL");
const key = required("VARG_API_KEY");
const artifacts = process.env.VARG_ARTIFACTS || "test-artifacts/playground";
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
// hello.tsx: one clip of the default 4 s.
const HELLO_SECONDS = 4;

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

mkdirSync(artifacts, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "varg-chromium-"));
// A fresh profile each run: no cached key, draft or HTTP cache from an earlier run.
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1440, height: 900 },
  deviceScaleFactor: 1,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = context.pages()[0] || (await context.newPage());
const consoleErrors = [];
page.on("console", (msg) => {
  if (msg.type() === "error") consoleErrors.push(msg.text());
});
page.on("pageerror", (e) => consoleErrors.push(String(e)));
// Anything the page fetches must come from the server itself: no CDN, nothing remote.
const foreign = [];
page.on("request", (req) => {
  if (!req.url().startsWith(base) && !req.url().startsWith("data:") && !req.url().startsWith("blob:")) {
    foreign.push(req.url());
  }
});

let step = 0;
async function shot(name) {
  step += 1;
  const file = join(artifacts, `${String(step).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  console.log(`screenshot ${file}`);
}

const status = () => page.locator("#status-pill").textContent();
const waitStatus = (want, timeout) =>
  page.waitForFunction((w) => document.getElementById("status-pill").textContent === w, want, { timeout });

async function loadExample(file) {
  await page.selectOption("#examples", file);
  await page.waitForFunction(
    (f) => document.querySelector(".cm-content").textContent.length > 20 && document.getElementById("examples").value === f,
    file,
  );
}

// Records every value the progress bar shows, however briefly.
async function recordProgress() {
  await page.evaluate(() => {
    window.__progress = [];
    const bar = document.getElementById("progress");
    new MutationObserver(() => window.__progress.push(Number(bar.getAttribute("aria-valuenow")))).observe(bar, {
      attributes: true,
      attributeFilter: ["aria-valuenow"],
    });
  });
}

try {
  // 1. A first visit without a key asks for one.
  await page.goto(`${base}/`);
  await page.waitForSelector("#key-dialog[open]", { timeout: 10000 });
  await page.fill("#key-input", "not-the-key");
  await page.click("#key-save");
  await page.waitForSelector("#key-error:not([hidden])");
  await shot("key-refused");
  await page.fill("#key-input", key);
  await page.click("#key-save");
  await page.waitForFunction(() => !document.getElementById("key-dialog").open);
  check(
    (await page.evaluate(() => localStorage.getItem("varg-render.key"))) === key,
    "the key is kept in localStorage",
  );

  // 2. Load an example.
  await loadExample("hello.tsx");
  const code = await page.locator(".cm-content").textContent();
  check(code.includes("a cat in space"), `the hello example is in the editor: ${code}`);
  check((await page.locator(".cm-content .cm-line span[class]").count()) > 5, "the TSX is highlighted");
  await page.waitForSelector("#server-state.ready");
  await shot("idle");

  // 3. Render it: the bar moves, then the video plays with the right length.
  await recordProgress();
  await page.click("#render");
  await page.waitForFunction(() => {
    const v = Number(document.getElementById("progress").getAttribute("aria-valuenow"));
    return v > 0.15 && v < 0.9;
  }, null, { timeout: 60000 });
  await shot("rendering");
  await waitStatus("completed", 120000);
  const progress = await page.evaluate(() => window.__progress);
  const between = [...new Set(progress.filter((v) => v > 0 && v < 1))];
  check(between.length >= 2, `the progress bar moved through several values: ${progress}`);
  check(progress.every((v, i) => i === 0 || v >= progress[i - 1] || progress[i - 1] === 0), `progress never moved back: ${progress}`);
  check(progress[progress.length - 1] === 1, `the bar ends full: ${progress}`);
  await page.waitForFunction(() => {
    const v = document.getElementById("video");
    return !v.hidden && v.readyState >= 3 && Number.isFinite(v.duration);
  }, null, { timeout: 30000 });
  const video = await page.evaluate(async () => {
    const v = document.getElementById("video");
    v.muted = true;
    await v.play();
    await new Promise((resolve) => setTimeout(resolve, 600));
    v.pause();
    return { duration: v.duration, time: v.currentTime, width: v.videoWidth, height: v.videoHeight, poster: v.poster, error: v.error && v.error.code };
  });
  check(Math.abs(video.duration - HELLO_SECONDS) < 0.1, `the video lasts ${HELLO_SECONDS} s: ${JSON.stringify(video)}`);
  check(video.time > 0, `the video plays: ${JSON.stringify(video)}`);
  check(video.width === 1920 && video.height === 1080, `1920x1080: ${JSON.stringify(video)}`);
  check(video.poster.endsWith(".jpg"), `the thumbnail is the poster: ${video.poster}`);
  await page.evaluate(() => {
    document.getElementById("video").currentTime = 1.5;
  });
  const asset = page.locator("#assets .asset img");
  check((await asset.count()) === 1, "the generated image is listed");
  await page.waitForFunction(() => {
    const img = document.querySelector("#assets .asset img");
    return img && img.complete && img.naturalWidth > 0;
  });
  await page.waitForSelector('#history li[data-status="completed"]');
  await page.waitForTimeout(300);
  await shot("rendered");

  // 4. A program with a mistake: the error sits under the line it names.
  await loadExample("broken.tsx");
  await page.click("#render");
  await waitStatus("failed", 30000);
  const widget = page.locator(".cm-varg-error");
  await widget.waitFor({ timeout: 5000 });
  const marked = await widget.textContent();
  check(marked.includes("line 4") && marked.includes("spin"), `the error names line 4: ${marked}`);
  const lineAbove = await page.evaluate(() => {
    let line = document.querySelector(".cm-varg-error").previousElementSibling;
    while (line && !line.classList.contains("cm-line")) line = line.previousElementSibling;
    return line ? line.textContent : "";
  });
  check(lineAbove.includes("spin"), `the message follows line 4 itself: ${lineAbove}`);
  check((await page.locator(".cm-varg-error-line").count()) === 1, "the line is highlighted");
  await shot("error-at-line");

  // 5. A long render, cancelled while it runs.
  await loadExample("long-render.tsx");
  await page.click("#render");
  await page.waitForFunction(() => {
    const v = Number(document.getElementById("progress").getAttribute("aria-valuenow"));
    return document.getElementById("status-pill").textContent === "rendering" && v > 0.11;
  }, null, { timeout: 60000 });
  check(!(await page.locator("#cancel").isDisabled()), "Cancel is enabled while rendering");
  await shot("long-render");
  const asked = Date.now();
  await page.click("#cancel");
  await waitStatus("cancelled", 5000);
  const tookMs = Date.now() - asked;
  check(await page.locator("#cancel").isDisabled(), "Cancel is disabled once cancelled");
  await page.waitForSelector('#history li[data-status="cancelled"]', { timeout: 5000 });
  check((await page.locator("#video").isHidden()), "no video for a cancelled job");
  await shot("cancelled");

  // 6. The history shows the tenant's jobs; selecting the finished one brings back its video.
  await page.click('#history li[data-status="completed"]');
  await waitStatus("completed", 5000);
  await page.waitForFunction(() => !document.getElementById("video").hidden);
  await shot("history");

  check(foreign.length === 0, `the page fetched from elsewhere: ${foreign}`);
  const unexpected = consoleErrors.filter((e) => !/401|Unauthorized|the server responded with a status of 4/.test(e));
  check(unexpected.length === 0, `console errors: ${unexpected.join("\n")}`);
  console.log(JSON.stringify({ ok: true, video, progress_values: between.length, cancel_ms: tookMs }));
} catch (e) {
  await page.screenshot({ path: join(artifacts, "failure.png") }).catch(() => {});
  console.error(`FAILED at step ${step + 1}: ${e.stack || e}`);
  console.error(`status pill: ${await status().catch(() => "?")}`);
  console.error(`console errors: ${consoleErrors.join("\n")}`);
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
