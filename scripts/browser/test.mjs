// Browser test of the Storeboard dashboard in headless Chromium (playwright-core, no downloaded
// browser). Run by scripts/browser-test.sh, which builds and starts the server:
//
//   node test.mjs --url http://127.0.0.1:PORT/ --workbook orders.xlsx --from 2026-10-22 \
//       --to 2026-11-20 --screenshots docs/screenshots [--chromium /usr/bin/chromium]
//
// Uploads the workbook through the real form, switches every tab through the tab bar (no page
// reload), checks every chart drew points on a non-empty canvas, goes back in history, sorts a
// column, picks a quick date range, and saves one full-page screenshot per tab. Then:
//
// - the product page: on 商品分析 with a store and a channel picked, the best seller's link opens
//   /products/{key} (a normal navigation): its chart draws, the crumbs show 全部门店 → 门店 →
//   渠道 → 商品, a quick range stays on the product page, history back returns to 商品分析
//   (screenshot product.png);
// - 💰 智能调价: every scenario chip (an htmx swap), the level select (the table recomputes and
//   the form keeps its values, also through a sort and a store picked in the filter bar;
//   screenshot pricing.png), saving a plan through the form opens the saved plan (plan.png),
//   deleting it (the confirm dialog accepted) returns to the tab with the plan gone.
//
// Fails on any console error, page error, failed request, HTTP error response or unexpected
// dialog.

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
  { name: 'stores', charts: 2 },
  // Its screenshot is taken later, with a scenario and a level picked.
  { name: 'pricing', charts: 0, screenshot: false },
  { name: 'data', charts: 0, screenshot: false },
];
/** Whole-run limit: a hung browser or server must not hang CI. */
const RUN_LIMIT_MS = 240_000;
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
/** The confirmation dialog the next click opens (its message), and the dialogs accepted. */
let expectDialog = null;
const dialogs = [];
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
  // The dialogs are confirmations: this test merges (no "replace" confirmation) and only
  // accepts the one it expects (`expectDialog`, set just before the click); any other is a bug.
  page.on('dialog', async (d) => {
    if (expectDialog && expectDialog.test(d.message())) {
      dialogs.push(d.message());
      expectDialog = null;
      await d.accept();
      return;
    }
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
    if (tab.screenshot !== false) await screenshot(page, tab.name);
  }

  // ---- back: the previous tabs show again ----
  for (const name of ['pricing', 'stores']) {
    log('history back');
    await page.goBack({ waitUntil: 'commit' });
    await waitForTab(page, name);
    await checkCharts(page, TABS.find((t) => t.name === name));
    log(`back on ${name}`);
  }

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

  await productPage(page);
  await storesTab(page);
  await pricingTab(page);
} catch (err) {
  problems.push(err.stack || String(err));
} finally {
  await browser.close().catch(() => {});
}

if (expectDialog) problems.push(`the expected dialog never opened: ${expectDialog}`);
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

/** The page URL of tab `name` over the workbook's period, with `extra` parameters. */
function tabUrl(name, extra = {}) {
  const url = new URL(args.url);
  url.search = new URLSearchParams({ tab: name, from: args.from, to: args.to, ...extra }).toString();
  return url.href;
}

/** Picks `value` in the filter bar's select `name` and waits for the content it reloads. */
async function pickFilter(page, name, value) {
  log(`filter ${name} = ${value}`);
  await page.selectOption(`#filters select[name="${name}"]`, value);
  await page.waitForFunction(
    ([n, v]) => new URL(location.href).searchParams.get(n) === v,
    [name, value],
  );
  await settle(page);
  check((await page.inputValue(`#filters select[name="${name}"]`)) === value, `the ${name} select keeps ${value}`);
}

/** The breadcrumbs' labels, and which one is the current level. */
async function crumbs(page) {
  return page.$$eval('#crumbs li', (lis) =>
    lis.map((li) => ({ label: li.innerText.trim(), current: !!li.querySelector('[aria-current]') })),
  );
}

/** The quick range whose days overlap the workbook's period (else the first), not active. */
async function overlappingChip(page) {
  const chips = page.locator('#controls .quick a.chip:not(.active)');
  const titles = await chips.evaluateAll((els) => els.map((el) => el.getAttribute('title')));
  const overlapping = titles.findIndex((t) => {
    const [from, to] = t.split(' ~ ');
    return from <= args.to && to >= args.from;
  });
  return chips.nth(Math.max(0, overlapping));
}

/**
 * 🏬 门店对比 with a store picked: the page says the store filter is ignored and still lists
 * every store; a store's name in the ranked table opens that store's 订单数据概览 for the same
 * period.
 */
async function storesTab(page) {
  const start = tabUrl('stores');
  log(`open ${start}`);
  await page.goto(start, { waitUntil: 'load' });
  await waitForTab(page, 'stores');
  await checkCharts(page, TABS.find((t) => t.name === 'stores'));
  const rows = await page.locator('#tab-content [data-section="stores"] tbody tr').count();
  const store = await page.locator('#filters select[name="store"] option:not([value=""])').first().getAttribute('value');
  await pickFilter(page, 'store', store);
  await waitForTab(page, 'stores');
  check(
    (await page.locator('#tab-content [data-scope="all-stores"]').innerText()).includes(store),
    `门店对比 says it ignores the store filter ${store}`,
  );
  check(
    (await page.locator('#tab-content [data-section="stores"] tbody tr').count()) === rows,
    '门店对比 still lists every store with a store picked',
  );
  const link = page.locator('#tab-content [data-section="stores"] tbody a').first();
  const name = (await link.innerText()).trim();
  log(`门店对比 → ${name}`);
  await link.click();
  await waitForTab(page, 'overview');
  const url = new URL(page.url());
  check(url.searchParams.get('store') === name, `the store link opens ${name}'s overview: ${url}`);
  check(url.searchParams.get('from') === args.from, `the store link keeps the period: ${url}`);
}

/**
 * 商品分析 → a product's page (a normal navigation) with a store and a channel picked: the
 * chart, the four crumbs, a quick range that stays on the page, and back to 商品分析.
 */
async function productPage(page) {
  const start = tabUrl('products');
  log(`open ${start}`);
  await page.goto(start, { waitUntil: 'load' });
  await waitForTab(page, 'products');
  const store = await page.locator('#filters select[name="store"] option:not([value=""])').first().getAttribute('value');
  await pickFilter(page, 'store', store);
  // The store's channel with the most products (the quadrant chart's points): its best seller
  // has days enough for a chart worth a screenshot.
  const channels = await page.locator('#filters select[name="channel"] option:not([value=""])').evaluateAll((els) =>
    els.map((el) => el.value),
  );
  let channel = null;
  let most = 0;
  for (const c of channels) {
    await pickFilter(page, 'channel', c);
    const points = Number((await page.getAttribute('#tab-content [data-chart]', 'data-rendered')) || 0);
    if (points > most) [channel, most] = [c, points];
  }
  check(channel, `the products tab lists products of ${store} in some channel`);
  if (channel !== channels[channels.length - 1]) await pickFilter(page, 'channel', channel);
  await checkCharts(page, TABS.find((t) => t.name === 'products'));

  // The best seller by units (sorted in place: the links survive the table's swap).
  const products = page.locator('#tab-content .table-wrap:has(a.name-link[href*="/products/"])').first();
  const productsId = await products.getAttribute('id');
  log(`sort ${productsId} by 销量`);
  await products.getByRole('button', { name: '销量', exact: true }).click();
  await page.waitForSelector(`#${productsId} th.sorted >> text=销量`);
  await settle(page);
  const link = page.locator(`#${productsId} tbody a.name-link[href*="/products/"]`).first();
  const name = (await link.innerText()).trim();
  const href = await link.getAttribute('href');
  log(`product link "${name}" → ${href}`);
  await page.evaluate(() => {
    window.__noReload = 'still the same page';
  });
  await Promise.all([page.waitForURL((u) => u.pathname.includes('/products/'), { waitUntil: 'load' }), link.click()]);
  check((await page.evaluate(() => window.__noReload)) === undefined, 'a product link is a normal navigation');
  const productUrl = new URL(page.url());
  check(
    productUrl.searchParams.get('store') === store && productUrl.searchParams.get('channel') === channel,
    `the product page keeps the store and channel: ${productUrl}`,
  );
  check(
    productUrl.searchParams.get('from') === args.from && productUrl.searchParams.get('to') === args.to,
    `the product page keeps the period: ${productUrl}`,
  );
  await page.waitForSelector('#tab-content .product-head h2');
  await settle(page);
  check((await page.locator('#tab-content .alert.error:visible').count()) === 0, 'the product page shows no error');
  check((await page.locator('#tab-content .product-head h2').innerText()).includes(name), `the product page is about ${name}`);
  const product = { name: 'product', charts: 1 };
  await checkCharts(page, product);
  const axes = await page.evaluate(() => {
    const chart = window.echarts.getInstanceByDom(document.querySelector('#tab-content [data-chart]'));
    return chart.getOption().yAxis.length;
  });
  check(axes === 4, `the product chart has 4 y-axes (found ${axes})`);
  const levels = await crumbs(page);
  check(
    levels.length === 4 && levels.map((l) => l.label).join('|') === `全部门店|${store}|${channel}|${name}` && levels[3].current,
    `the crumbs are 全部门店 › ${store} › ${channel} › ${name}: ${JSON.stringify(levels)}`,
  );
  check(
    (await page.getAttribute('#controls nav.tabs a[data-tab="products"]', 'aria-selected')) === 'true',
    'the product page sits under 商品分析 on the tab bar',
  );
  await screenshot(page, 'product');

  // A quick range reloads the product page in place; the address stays on /products/….
  await page.evaluate(() => {
    window.__noReload = 'still the same page';
  });
  const chip = await overlappingChip(page);
  const chipLabel = (await chip.innerText()).trim();
  const [quickFrom] = (await chip.getAttribute('title')).split(' ~ ');
  log(`product page: quick range ${chipLabel}`);
  await chip.click();
  await page.waitForSelector(`#controls .quick a.chip.active >> text=${chipLabel}`);
  await page.waitForFunction((f) => new URL(location.href).searchParams.get('from') === f, quickFrom);
  await settle(page);
  const quickUrl = new URL(page.url());
  check(quickUrl.pathname === productUrl.pathname, `the quick range stays on the product page: ${quickUrl}`);
  check(quickUrl.searchParams.get('store') === store && quickUrl.searchParams.get('channel') === channel, `the quick range keeps store and channel: ${quickUrl}`);
  check((await page.evaluate(() => window.__noReload)) === 'still the same page', 'a quick range does not reload the product page');
  check((await page.locator('#tab-content .product-head h2').innerText()).includes(name), 'the quick range shows the same product');
  await checkCharts(page, product);
  check((await crumbs(page)).length === 4, 'the crumbs still have 4 levels after the quick range');
  check((await page.inputValue('#filters input[name="from"]')) === quickFrom, 'the date input shows the quick range');

  // Back: the product page over the first period, then 商品分析.
  log('history back (product page, first period)');
  await page.goBack({ waitUntil: 'commit' });
  await page.waitForFunction((f) => new URL(location.href).searchParams.get('from') === f, args.from);
  await page.waitForSelector('#tab-content .product-head h2');
  await settle(page);
  check(new URL(page.url()).pathname === productUrl.pathname, `back shows the product page: ${page.url()}`);
  check((await page.inputValue('#filters input[name="from"]')) === args.from, 'back shows the first period');
  log('history back (商品分析)');
  await page.goBack({ waitUntil: 'commit' });
  await waitForTab(page, 'products');
  const back = new URL(page.url());
  check(back.searchParams.get('store') === store && back.searchParams.get('channel') === channel, `back on 商品分析 with the store and channel: ${back}`);
  await checkCharts(page, TABS.find((t) => t.name === 'products'));
  check((await page.locator('#tab-content table a.name-link', { hasText: name }).count()) > 0, `商品分析 lists ${name} again`);
  log('back on products');
}

/** The chip of scenario `label` is the active one, the URL says so, the content settled. */
async function waitForScenario(page, label, code) {
  await page.waitForSelector(`#tab-content nav.chips a.chip.active >> text=${label}`);
  if (code) await page.waitForFunction((c) => new URL(location.href).searchParams.get('scenario') === c, code);
  await settle(page);
}

/**
 * 💰 智能调价: every scenario chip, the level select, the screenshot; a plan saved through the
 * form, its page, and its deletion.
 */
async function pricingTab(page) {
  const start = tabUrl('products');
  log(`open ${start}`);
  await page.goto(start, { waitUntil: 'load' });
  await waitForTab(page, 'products');
  await page.evaluate(() => {
    window.__noReload = 'still the same page';
  });
  await openTab(page, TABS.find((t) => t.name === 'pricing'));

  // Every scenario chip, in order; the last, 自由调价, prices every product.
  const chips = await page.locator('#tab-content nav.chips a.chip').evaluateAll((els) =>
    els.map((el) => ({
      label: el.firstChild.textContent.trim(),
      code: new URL(el.getAttribute('hx-get'), location.href).searchParams.get('scenario'),
    })),
  );
  check(chips.length >= 2, `智能调价 shows its scenario chips: ${JSON.stringify(chips)}`);
  for (const { label, code } of chips) {
    log(`scenario ${label} (${code})`);
    await page.locator('#tab-content nav.chips a.chip', { hasText: label }).click();
    await waitForScenario(page, label, code);
    check(
      (await page.inputValue('#tab-content form.pricing-form input[name="scenario"]')) === code,
      `the form computes scenario ${code}`,
    );
    check((await page.locator('#tab-content .alert.error:visible').count()) === 0, `scenario ${code} shows no error`);
    check((await page.locator('#tab-content #t-items').count()) === 1, `scenario ${code} shows the plan table`);
  }
  const last = chips[chips.length - 1];
  check(
    (await page.locator('#t-items tbody a.name-link').count()) > 0,
    `scenario ${last.label} prices some products`,
  );

  // The level: the table recomputes, the form keeps what was picked.
  const level = 'heavy';
  const before = await page.locator('#t-items tbody').innerText();
  log(`level ${level}`);
  await page.selectOption('#tab-content form.pricing-form select[name="level"]', level);
  await page.waitForFunction((l) => new URL(location.href).searchParams.get('level') === l, level);
  await waitForScenario(page, last.label, last.code);
  check((await page.inputValue('#tab-content form.pricing-form select[name="level"]')) === level, 'the level select keeps its value');
  check((await page.locator('#t-items tbody').innerText()) !== before, `level ${level} recomputes the plan table`);
  const url = new URL(page.url());
  check(
    url.searchParams.get('tab') === 'pricing' && url.searchParams.get('scenario') === last.code,
    `the URL keeps tab and scenario: ${url}`,
  );
  check(url.searchParams.get('from') === args.from, `the URL keeps the period: ${url}`);
  // The next swaps keep the level: a sort of the plan table.
  const sort = page.locator('#t-items th:not(.sorted) button.sort').nth(2);
  const sortLabel = (await sort.innerText()).trim();
  log(`sort t-items by ${sortLabel}`);
  await sort.click();
  await page.waitForSelector(`#t-items th.sorted >> text=${sortLabel}`);
  await settle(page);
  check((await page.inputValue('#tab-content form.pricing-form select[name="level"]')) === level, 'sorting keeps the level');
  // A store picked in the filter bar keeps the scenario and the level (hx-include).
  const store = await page.locator('#filters select[name="store"] option:not([value=""])').first().getAttribute('value');
  await pickFilter(page, 'store', store);
  await waitForScenario(page, last.label, last.code);
  check((await page.inputValue('#tab-content form.pricing-form select[name="level"]')) === level, 'a new store keeps the level');
  check(new URL(page.url()).searchParams.get('level') === level, `the URL keeps the level: ${page.url()}`);
  check((await page.locator('#tab-content p.period', { hasText: store }).count()) === 1, `the plan is priced for ${store}`);
  check((await page.locator('#t-items tbody a.name-link').count()) > 0, `${store} has products to price`);
  check(
    (await page.evaluate(() => window.__noReload)) === 'still the same page',
    'scenarios, the level, sorting and the store do not reload the page',
  );
  check((await page.locator('#controls a.export').count()) === 0, '智能调价 exports from its own link only');
  await screenshot(page, 'pricing');

  // Save the plan through the form: the saved plan's page shows.
  const planName = '浏览器测试 · 重度涨价';
  log(`save plan "${planName}"`);
  await page.fill('#tab-content form[data-save-plan] input[name="name"]', planName);
  await page.click('#tab-content form[data-save-plan] button[type="submit"]');
  const heading = await page.waitForSelector(`#tab-content h3 >> text=${planName}`);
  await settle(page);
  const id = /#(\d+)/.exec(await heading.innerText())?.[1];
  check(id, `the saved plan's heading has its number: ${await heading.innerText()}`);
  await page.waitForFunction((i) => new URL(location.href).searchParams.get('plan') === i, id);
  const planUrl = new URL(page.url());
  check(planUrl.searchParams.get('tab') === 'pricing', `the plan's URL is on 智能调价: ${planUrl}`);
  check(planUrl.searchParams.get('from') === args.from, `the plan's URL keeps the period: ${planUrl}`);
  check(
    (await page.getAttribute('#controls nav.tabs a[data-tab="pricing"]', 'aria-selected')) === 'true',
    'the plan sits under 智能调价 on the tab bar',
  );
  check((await page.locator('#tab-content .alert.error:visible').count()) === 0, 'the plan page shows no error');
  check((await page.locator('#t-items tbody tr').count()) > 0, 'the plan page lists its products');
  await checkCharts(page, { name: 'plan', charts: 0 });
  await screenshot(page, 'plan');

  // Delete it: the confirmation accepted, back on 智能调价 without it.
  log(`delete plan #${id}`);
  expectDialog = new RegExp(`删除调价方案 #${id}`);
  await page.click(`#tab-content [data-delete-plan="${id}"]`);
  await page.waitForFunction(() => !new URL(location.href).searchParams.has('plan'));
  await page.waitForSelector('#tab-content nav.chips');
  await settle(page);
  check(dialogs.some((d) => d.includes(`#${id}`)), 'deleting asked for confirmation');
  const after = new URL(page.url());
  check(after.searchParams.get('tab') === 'pricing', `back on 智能调价: ${after}`);
  check(after.searchParams.get('from') === args.from, `back on 智能调价 with the period: ${after}`);
  check((await page.locator('#tab-content', { hasText: planName }).count()) === 0, `the deleted plan "${planName}" is gone`);
  check(
    (await page.evaluate(() => window.__noReload)) === 'still the same page',
    'saving and deleting a plan do not reload the page',
  );
  log(`plan #${id} deleted`);
}
