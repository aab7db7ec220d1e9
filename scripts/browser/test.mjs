// Browser test of the Storeboard dashboard in headless Chromium (playwright-core, no downloaded
// browser). Run by scripts/browser-test.sh, which builds and starts the server:
//
//   node test.mjs --url http://127.0.0.1:PORT/ --workbook orders.xlsx --from 2026-10-22 \
//       --to 2026-11-20 --screenshots docs/screenshots [--chromium /usr/bin/chromium]
//
// Uploads the workbook through the real form, switches every tab through the tab bar (no page
// reload), checks every chart drew points on a non-empty canvas, sorts a column, picks a quick
// date range, goes back in history, and saves one full-page screenshot per tab. Fails on any
// console error, page error, failed request or HTTP error response.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    workbook: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    screenshots: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
for (const name of ['url', 'workbook', 'from', 'to', 'screenshots']) {
  if (!args[name]) throw new Error(`missing --${name}`);
}

/** The tabs in tab-bar order, and how many charts each must show at least. */
const TABS = [
  { name: 'today', charts: 0 },
  { name: 'overview', charts: 1 },
  { name: 'products', charts: 1 },
  { name: 'timeslots', charts: 1 },
  { name: 'data', charts: 0 },
];
/** Whole-run limit: a hung browser or server must not hang CI. */
const RUN_LIMIT_MS = 150_000;
/** Limit of one step (a click and the fragment it loads, a selector to appear). */
const STEP_MS = 15_000;
/** Limit of the upload (parse and store ~15k lines in a debug build included). */
const UPLOAD_MS = 60_000;

/**
 * Known failing requests, reported as warnings instead of failures until fixed: the page
 * declares no icon, so Chromium asks for /favicon.ico and gets 404 (a console error too).
 */
const KNOWN = [];

const started = Date.now();
const problems = [];
const known = new Set();
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const check = (ok, msg) => {
  if (!ok) throw new Error(`check failed: ${msg}`);
};

const watchdog = setTimeout(() => {
  console.error(`FAIL: the browser test took longer than ${RUN_LIMIT_MS / 1000}s`);
  process.exit(1);
}, RUN_LIMIT_MS);
watchdog.unref();

// Playwright gives each launch a new empty profile (its own --user-data-dir in a temp dir).
const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  timeout: 30_000,
  env: browserEnv(),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--lang=zh-CN',
  ],
});

try {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(30_000);
  // The only dialog is the "replace" confirmation; this test merges, so any dialog is a bug.
  page.on('dialog', async (d) => {
    problems.push(`unexpected dialog: ${d.message()}`);
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location().url;
    const what = `console error: ${m.text()} (${where})`;
    if (KNOWN.some((k) => k.test(where))) known.add(what);
    else problems.push(what);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const what = `HTTP ${r.status()}: ${r.request().method()} ${r.url()}`;
    if (KNOWN.some((k) => k.test(r.url()))) known.add(what);
    else problems.push(what);
  });

  const period = `from=${args.from}&to=${args.to}`;
  const start = new URL(`?tab=data&${period}`, args.url).href;
  log(`open ${start}`);
  await page.goto(start, { waitUntil: 'load' });
  // dashboard.js marks the upload box once it has wired it (on htmx's first load event).
  await page.waitForSelector('#upload[data-ready]', { state: 'attached' });

  // ---- upload through the real form ----
  log(`upload ${args.workbook}`);
  check(await page.isDisabled('#upload-button'), 'the upload button is disabled before a file is chosen');
  await page.setInputFiles('#file-input', resolve(args.workbook));
  await page.waitForSelector('#upload-button:not([disabled])');
  check(await page.isChecked('input[name="upload-mode"][value="merge"]'), 'merge is the default mode');
  await page.click('#upload-button');
  await page.waitForSelector('#upload-progress:not([hidden])');
  const report = await page.waitForSelector('section.report', { timeout: UPLOAD_MS });
  const reportText = await report.innerText();
  const accepted = /接受\s*([\d,]+)\s*行/.exec(reportText);
  check(accepted, `the report says how many lines were accepted:\n${reportText}`);
  const acceptedLines = Number(accepted[1].replaceAll(',', ''));
  check(acceptedLines > 1000, `the report accepts the generated lines (got ${acceptedLines})`);
  check(/拒绝\s*0\s*行/.test(reportText), `no line is rejected:\n${reportText}`);
  log(`report: ${acceptedLines} lines accepted`);
  await settle(page);
  await screenshot(page, 'data');

  // The data tab reloads after an upload keeping the page's period: the tab links still carry it.
  for (const tab of TABS) {
    const href = await page.getAttribute(`a[data-tab="${tab.name}"]`, 'href');
    check(
      href.includes(`from=${args.from}`) && href.includes(`to=${args.to}`),
      `after the upload the ${tab.name} link keeps the period: ${href}`,
    );
  }

  // ---- every tab through the tab bar, without reloading the page ----
  await page.evaluate(() => {
    window.__noReload = 'still the same page';
  });
  for (const tab of TABS) {
    await openTab(page, tab);
    check(
      (await page.evaluate(() => window.__noReload)) === 'still the same page',
      `switching to ${tab.name} does not reload the page`,
    );
    if (tab.name !== 'data') await screenshot(page, tab.name);
  }

  // ---- back: the previous tab shows again ----
  log('history back');
  await page.goBack({ waitUntil: 'commit' });
  await waitForTab(page, 'timeslots');
  await checkCharts(page, TABS.find((t) => t.name === 'timeslots'));
  log('back on timeslots');

  // ---- a column sort and a quick date range change the content, in place ----
  await page.evaluate(() => {
    window.__noReload = 'still the same page';
  });
  const table = page.locator('#tab-content .table-wrap').first();
  const tableId = await table.getAttribute('id');
  const before = await page.locator(`#${tableId} tbody`).innerText();
  const sort = page.locator(`#${tableId} th:not(.sorted) button.sort`).first();
  const sortLabel = (await sort.innerText()).trim();
  log(`sort ${tableId} by ${sortLabel}`);
  await sort.click();
  await page.waitForSelector(`#${tableId} th.sorted >> text=${sortLabel}`);
  await settle(page);
  const after = await page.locator(`#${tableId} tbody`).innerText();
  check(after !== before, `sorting ${tableId} by ${sortLabel} reorders its rows`);

  const chip = page.locator('#controls .quick a.chip:not(.active)').first();
  const chipLabel = (await chip.innerText()).trim();
  const chipRange = await chip.getAttribute('title');
  const contentBefore = await page.locator('#tab-content').innerText();
  log(`quick range ${chipLabel} (${chipRange})`);
  await chip.click();
  await page.waitForSelector(`#controls .quick a.chip.active >> text=${chipLabel}`);
  await settle(page);
  const [quickFrom] = chipRange.split(' ~ ');
  check(new URL(page.url()).searchParams.get('from') === quickFrom, `the URL has from=${quickFrom}: ${page.url()}`);
  check((await page.inputValue('#filters input[name="from"]')) === quickFrom, 'the date input shows the quick range');
  check((await page.locator('#tab-content').innerText()) !== contentBefore, `${chipLabel} changes the content`);
  check(
    (await page.evaluate(() => window.__noReload)) === 'still the same page',
    'sorting and quick ranges do not reload the page',
  );
} catch (err) {
  problems.push(err.stack || String(err));
} finally {
  await browser.close().catch(() => {});
}

for (const k of known) console.warn(`WARNING (known issue, not failing the test): ${k}`);
if (problems.length) {
  console.error(`FAIL: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
log('PASS');

/**
 * The browser's environment. With Debian's chromium-l10n, LANGUAGE picks the browser's own
 * language, so date inputs show 2026/10/22 as on the store staff's computers, not 10/22/2026.
 * LANG stays a UTF-8 locale every glibc has: under a locale that is not installed (often
 * zh_CN.UTF-8) Chromium silently drops a file whose path is not ASCII from setInputFiles.
 */
function browserEnv() {
  const env = { ...process.env, LANG: 'C.UTF-8', LANGUAGE: 'zh_CN:zh' };
  delete env.LC_ALL;
  return env;
}

/** Clicks the tab's link in the tab bar and checks what it loads. */
async function openTab(page, tab) {
  const link = page.locator(`#controls nav.tabs a[data-tab="${tab.name}"]`);
  log(`tab ${tab.name}: click "${(await link.innerText()).trim()}"`);
  await link.click();
  await waitForTab(page, tab.name);
  const url = new URL(page.url());
  check(url.searchParams.get('tab') === tab.name, `the URL says tab=${tab.name}: ${url}`);
  check(url.searchParams.get('from') === args.from && url.searchParams.get('to') === args.to, `the URL keeps the period: ${url}`);
  check((await page.locator('#tab-content .alert.error:visible').count()) === 0, `${tab.name} shows no error`);
  check((await page.locator('#tab-content .empty').count()) === 0, `${tab.name} has data for the period`);
  await checkCharts(page, tab);
}

/** Waits until tab `name` is the one shown (server-rendered tab bar) and htmx is idle. */
async function waitForTab(page, name) {
  await page.waitForSelector(`#controls nav.tabs a[data-tab="${name}"][aria-selected="true"]`);
  await page.waitForFunction((n) => new URL(location.href).searchParams.get('tab') === n, name);
  await settle(page);
}

/** Every chart of the tab drew points on a canvas of non-zero size. */
async function checkCharts(page, tab) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#tab-content [data-chart]')].every((el) => el.hasAttribute('data-rendered')),
  );
  const charts = await page.$$eval('#tab-content [data-chart]', (els) =>
    els.map((el) => {
      const canvas = el.querySelector('canvas');
      return {
        name: el.getAttribute('data-chart-name'),
        points: Number(el.getAttribute('data-rendered')),
        width: canvas ? canvas.width : 0,
        height: canvas ? canvas.height : 0,
      };
    }),
  );
  check(charts.length >= tab.charts, `${tab.name} shows at least ${tab.charts} chart(s), found ${charts.length}`);
  for (const c of charts) {
    check(c.points > 0, `${tab.name}: chart ${c.name} is not empty (data-rendered=${c.points})`);
    check(c.width > 0 && c.height > 0, `${tab.name}: chart ${c.name} has a canvas of non-zero size (${c.width}×${c.height})`);
  }
  log(`tab ${tab.name}: ${charts.map((c) => `${c.name}=${c.points}`).join(', ') || 'no charts'}`);
}

/** No htmx request in flight, fonts loaded, chart animations finished. */
async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling'));
  await page.evaluate(() => document.fonts.ready.then(() => true));
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-chart]')].every((el) => {
      const chart = window.echarts.getInstanceByDom(el);
      return !chart || chart.getZr().animation.isFinished();
    }),
  );
}

/** A full-page screenshot of the current tab, from the top, the mouse out of the way. */
async function screenshot(page, name) {
  mkdirSync(args.screenshots, { recursive: true });
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await settle(page);
  const path = join(args.screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  log(`screenshot ${path}`);
}
