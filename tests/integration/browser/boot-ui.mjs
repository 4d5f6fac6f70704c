// Drives the Boot UI in real headless Chromium (Debian's /usr/bin/chromium)
// with playwright-core. One scenario per run, against a daemon the pytest
// test (test_boot_ui_browser.py) started on a fresh root:
//   node boot-ui.mjs SCENARIO URL OUT_DIR [FILE]
// Prints one JSON object with what the page showed; exits non-zero (with
// the reason on stderr) when the page did not behave.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const [scenario, url, outDir, file] = process.argv.slice(2);
const require = createRequire(path.join(process.env.PLAYWRIGHT_PREFIX, "node_modules", "x.js"));
const { chromium } = require("playwright-core");
const TIMEOUT = 30000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function submitAndWait(page, states) {
  await page.click("#apply-button");
  const selector = states.map((s) => `#job-status[data-state="${s}"]`).join(", ");
  await page.waitForSelector(selector, { timeout: TIMEOUT });
}

async function finalState(page) {
  await page.waitForSelector('#job-status[data-state="succeeded"], #job-status[data-state="failed"]',
                            { timeout: TIMEOUT });
  return page.evaluate(() => {
    const status = document.getElementById("job-status");
    return {
      state: status.dataset.state,
      jobId: status.dataset.jobId,
      events: [...status.querySelectorAll(".event-log li")].map((li) => li.textContent),
      warnings: [...status.querySelectorAll(".warnings li")].map((li) => li.textContent),
      text: status.textContent,
      button: document.getElementById("apply-button").textContent,
    };
  });
}

const scenarios = {
  // Paste a valid config, watch the progress, see the end; the page is gone after.
  async "paste-valid"(page) {
    await page.goto(url);
    await page.fill("#config-text", readFileSync(file, "utf8"));
    await submitAndWait(page, ["submitted", "running", "succeeded"]);
    await page.screenshot({ path: path.join(outDir, "boot-ui-progress.png"), fullPage: true });
    const result = await finalState(page);
    await page.screenshot({ path: path.join(outDir, "boot-ui-succeeded.png"), fullPage: true });
    const again = await page.goto(url);
    result.reloadStatus = again.status();
    return result;
  },

  // Choose a bundle in the file input.
  async "upload-bundle"(page) {
    await page.goto(url);
    await page.setInputFiles("#config-file", file);
    await page.click("#apply-button");
    return finalState(page);
  },

  // Paste an invalid config: every diagnostic with line and column, beside the text.
  async "paste-invalid"(page) {
    await page.goto(url);
    await page.fill("#config-text", readFileSync(file, "utf8"));
    await submitAndWait(page, ["invalid"]);
    await page.screenshot({ path: path.join(outDir, "boot-ui-invalid.png"), fullPage: true });
    return page.evaluate(() => {
      const status = document.getElementById("job-status");
      return {
        state: status.dataset.state,
        summary: status.querySelector(".summary").textContent,
        diagnostics: [...status.querySelectorAll(".diagnostics li")].map((li) => ({
          line: Number(li.dataset.line), column: Number(li.dataset.column), text: li.textContent })),
        markedLines: [...status.querySelectorAll(".source .has-diag")].map((l) => Number(l.dataset.line)),
        notes: [...status.querySelectorAll(".source .note")].map((n) => n.textContent),
        sourceLines: status.querySelectorAll(".source .line").length,
        pastedStillThere: document.getElementById("config-text").value.length > 0,
        buttonEnabled: !document.getElementById("apply-button").disabled,
      };
    });
  },

  // A page on another origin posts the form to the device (even with the
  // right token, read from the device by the attacker's server): refused.
  async "forged-post"(page) {
    const token = (await (await fetch(url + "/")).text()).match(/name="bootstrap_token" value="([^"]+)"/)[1];
    await page.route("http://evil.example/**", (route) => route.fulfill({
      contentType: "text/html",
      body: `<form id="f" method="post" action="${url}/apply" enctype="multipart/form-data">
             <input name="bootstrap_token" value="${token}"><textarea name="config">[users]</textarea></form>
             <script>document.getElementById("f").submit();</script>`,
    }));
    const answer = page.waitForResponse((r) => r.url() === url + "/apply", { timeout: TIMEOUT });
    await page.goto("http://evil.example/");
    const response = await answer;
    return { status: response.status(), body: await response.text(),
             origin: await response.request().headerValue("origin") };
  },
};

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
                                        args: ["--no-sandbox", "--disable-gpu"], timeout: TIMEOUT });
let exitCode = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  check(scenarios[scenario], `unknown scenario ${scenario}`);
  const result = await scenarios[scenario](page);
  result.consoleErrors = consoleErrors;
  process.stdout.write(JSON.stringify(result) + "\n");
} catch (error) {
  process.stderr.write(`${scenario}: ${error.stack || error}\n`);
  exitCode = 1;
} finally {
  await browser.close();
}
process.exit(exitCode);
