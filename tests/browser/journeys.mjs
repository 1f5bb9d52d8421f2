// Browser journeys for Tongban, driven by playwright-core against the system chromium.
//
//   node journeys.mjs BASE_URL SCREENSHOT_DIR
//
// The server must be fresh (a new --data dir) so that the administrator journey has an edit
// to publish; run.sh next to this file takes care of that.
//
// Prints one line per step, notes on things worth a look (horizontal overflow, missing-message
// markers, language mix-ups, console errors) and, at the end, exactly one line
// `browser: N passed, M failed` counting journeys. Exits 0 only when every journey passed.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const [base, shotDir] = [process.argv[2], process.argv[3]];
if (!base || !shotDir) {
  console.error('usage: node journeys.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
const BASE = base.replace(/\/+$/, '');
fs.mkdirSync(shotDir, { recursive: true });

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
const ADMIN = { username: 'admin', password: 'admin-demo-2026' };
const ITEM = 'XH-SPJ-000101001000'; // 企业设立登记, legal limit 3工作日
const SEAL = '印章刻制备案';
const CJK = /[\u3400-\u9fff]/;

// ---------------------------------------------------------------------------------------------
// Tiny harness: a journey is a list of steps; the first failing step ends the journey.

class Failure extends Error {}
function check(cond, msg) {
  if (!cond) throw new Failure(msg);
}
function eq(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const results = [];
const notes = [];

async function journey(name, body) {
  console.log(`journey: ${name}`);
  let steps = 0;
  const step = async (label, fn) => {
    steps += 1;
    try {
      const r = await fn();
      console.log(`  ok   ${steps}. ${label}${r ? ` (${r})` : ''}`);
      return r;
    } catch (e) {
      const why = e instanceof Failure ? e.message : String((e && e.stack) || e).split('\n').slice(0, 3).join(' | ');
      console.log(`  FAIL ${steps}. ${label}: ${why}`);
      throw new Failure(`step ${steps} "${label}": ${e instanceof Failure ? e.message : String(e).split('\n')[0]}`);
    }
  };
  try {
    await body(step);
    results.push({ name, ok: true });
    console.log(`  => passed`);
  } catch (e) {
    results.push({ name, ok: false, why: e.message });
    console.log(`  => FAILED: ${e.message}`);
  }
}

function note(where, what) {
  notes.push(`${where}: ${what}`);
}

// Things that are not assertions but that a person should look at; collected for every page.
async function inspect(page, where) {
  const facts = await page.evaluate(() => {
    const doc = document.documentElement;
    const text = document.body ? document.body.innerText : '';
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > window.innerWidth + 1 && getComputedStyle(el).position !== 'fixed') {
        wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} right=${Math.round(r.right)}`);
      }
    }
    return {
      lang: doc.lang,
      scrollWidth: doc.scrollWidth,
      innerWidth: window.innerWidth,
      wide: wide.slice(0, 5),
      missing: (text.match(/‹\?›/g) || []).length,
      text,
      title: document.title,
    };
  });
  if (facts.scrollWidth > facts.innerWidth + 1) {
    note(where, `page is ${facts.scrollWidth}px wide in a ${facts.innerWidth}px viewport (horizontal scroll); widest: ${facts.wide.join(', ')}`);
  }
  if (facts.missing) note(where, `${facts.missing} missing-message marker(s) ‹?› in the page text`);
  if (facts.title.includes('‹?›')) note(where, `missing-message marker in <title>: ${facts.title}`);
  return facts;
}

function watchConsole(page, where) {
  // Console "Failed to load resource" lines carry no URL: report the responses instead, except
  // the 422 that the journey provokes on purpose.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) note(where(), `console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !(r.status() === 422 && r.request().method() === 'POST')) {
      note(where(), `HTTP ${r.status()} for ${r.request().method()} ${r.url().replace(BASE, '')}`);
    }
  });
  page.on('pageerror', (e) => note(where(), `page error: ${e.message}`));
  page.on('requestfailed', (r) => note(where(), `request failed: ${r.url()} ${r.failure()?.errorText || ''}`));
}

async function shot(page, name, fullPage = true) {
  const file = path.join(shotDir, name);
  await page.screenshot({ path: file, fullPage });
  return `screenshot ${file}`;
}

async function text(locator) {
  return ((await locator.innerText()) || '').trim();
}

// ---------------------------------------------------------------------------------------------

// Without a CJK font every Chinese glyph renders as a box and the screenshots are useless to
// review (the assertions still work: they read the DOM). Debian: apt-get install fonts-noto-cjk.
try {
  if (!execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim()) {
    note('machine', 'no CJK font installed (fc-list :lang=zh is empty): Chinese text in the screenshots shows as boxes; apt-get install fonts-noto-cjk');
  }
} catch {
  note('machine', 'fc-list not found: cannot tell whether a CJK font is installed for the screenshots');
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tongban-chromium-'));
let browser;
try {
  // A persistent context pins the profile to a fresh directory of our own; each journey then
  // opens its own fresh (incognito-like) context on that browser.
  const persistent = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
  browser = persistent.browser();
  if (!browser) throw new Error('no browser behind the persistent context');
  const newContext = async (viewport) => {
    const ctx = await browser.newContext({ viewport, locale: 'zh-CN', baseURL: BASE });
    ctx.setDefaultTimeout(15_000);
    ctx.setDefaultNavigationTimeout(20_000);
    return ctx;
  };

  // -------------------------------------------------------------------------------------------
  await journey('public: search and read a guide', async (step) => {
    const ctx = await newContext(DESKTOP);
    const page = await ctx.newPage();
    let where = 'home';
    watchConsole(page, () => where);
    try {
      await step('open /', async () => {
        const resp = await page.goto('/');
        eq(resp.status(), 200, 'status of /');
        eq(await page.locator('html').getAttribute('lang'), 'zh-CN', 'html lang');
        await inspect(page, 'home (desktop)');
      });

      await step('search 公章 from the home search box', async () => {
        const box = page.locator('form[role=search] input[name=q]');
        await box.fill('公章');
        await Promise.all([page.waitForURL(/\/items\?/), box.press('Enter')]);
        where = 'results 公章';
        check(new URL(page.url()).searchParams.get('q') === '公章', `URL has q=公章: ${page.url()}`);
        const titles = await page.locator('ul.results a.title').allInnerTexts();
        check(titles.includes(SEAL), `results contain ${SEAL}: got ${JSON.stringify(titles)}`);
        await inspect(page, 'results 公章 (desktop)');
        return `${titles.length} result(s): ${titles.join('、')}`;
      });

      await step('filter by level 区级 and submit', async () => {
        await page.locator('select[name=level]').selectOption({ label: '区级' });
        await Promise.all([page.waitForURL(/level=district/), page.locator('form[role=search] button').click()]);
        eq(await page.locator('select[name=level]').inputValue(), 'district', 'level select keeps 区级');
        eq(await page.locator('input[name=q]').inputValue(), '公章', 'search box keeps the term');
        const rows = page.locator('ul.results li');
        const metas = await rows.locator('div.muted').allInnerTexts();
        check(metas.length > 0, 'at least one result after filtering');
        for (const m of metas) check(m.includes('区级'), `every result is 区级: ${m}`);
        const titles = await rows.locator('a.title').allInnerTexts();
        check(titles.includes(SEAL), `filtered results contain ${SEAL}`);
        return `${titles.length} result(s)`;
      });

      await step(`open the ${SEAL} guide on a 390x844 phone`, async () => {
        await page.setViewportSize(MOBILE);
        await Promise.all([page.waitForURL(/\/items\/XH-/), page.locator('ul.results a.title', { hasText: SEAL }).click()]);
        where = 'guide 印章刻制备案 (mobile)';
        eq(await text(page.locator('h1')), SEAL, 'guide heading');
        return page.url().replace(BASE, '');
      });

      await step('guide shows 设定依据, the 申请材料 table and an SVG flowchart', async () => {
        const basis = page.locator('dl.guide dt', { hasText: '设定依据' });
        await basis.waitFor();
        const basisText = await text(page.locator('dl.guide dt:has-text("设定依据") + dd'));
        check(basisText.length > 0, '设定依据 has content');
        const h2 = page.locator('h2', { hasText: '申请材料' });
        await h2.waitFor();
        const table = page.locator('h2:has-text("申请材料") + table');
        const headers = await table.locator('thead th').allInnerTexts();
        check(headers.some((h) => h.includes('材料名称')), `材料 table has 材料名称 column: ${headers}`);
        const rows = await table.locator('tbody tr').count();
        check(rows >= 1, `材料 table has rows: ${rows}`);
        const svg = page.locator('.flow svg');
        eq(await svg.count(), 1, 'inline <svg> flowchart count');
        const rects = await svg.locator('rect').count();
        check(rects >= 2, `flowchart has >= 2 rect: ${rects}`);
        await inspect(page, 'guide 印章刻制备案 (mobile 390)');
        return `${rows} material(s), ${rects} flowchart boxes`;
      });

      await step('screenshot the guide, full page, mobile', () => shot(page, 'j1-guide-mobile.png'));

      await step('search 社保 and get at least one result', async () => {
        where = 'results 社保 (mobile)';
        await page.goto('/items');
        const box = page.locator('form[role=search] input[name=q]');
        await box.fill('社保');
        await Promise.all([page.waitForURL(/q=/), box.press('Enter')]);
        const n = await page.locator('ul.results a.title').count();
        const count = await text(page.locator('#result-count'));
        check(n >= 1, `社保 results: ${n} (${count})`);
        const total = Number((count.match(/\d+/) || [])[0]);
        check(total >= n, `#result-count (${count}) agrees with the list (${n} on this page)`);
        await inspect(page, 'results 社保 (mobile 390)');
        await shot(page, 'j1-results-shebao-mobile.png');
        return `${count}; ${n} on this page`;
      });

      await step('switch to English via the "English" link; heading is English', async () => {
        await page.locator('a.lang', { hasText: 'English' }).click();
        await page.waitForFunction(() => document.documentElement.lang === 'en');
        await page.waitForLoadState('load');
        where = 'results (English, mobile)';
        const h1 = await text(page.locator('h1'));
        check(h1.length > 0 && !CJK.test(h1) && /[A-Za-z]/.test(h1), `heading is English: ${JSON.stringify(h1)}`);
        const after = new URL(page.url());
        if (after.searchParams.get('q') !== '社保') {
          note('language switch on /items?q=社保', `the search term is lost: came back to ${after.pathname}${after.search} instead of the 社保 results`);
        }
        const facts = await inspect(page, 'results (English, mobile 390)');
        const cjkUi = await page.evaluate((re) => {
          const r = new RegExp(re);
          const out = [];
          for (const el of document.querySelectorAll('header nav a, header .who a:not(.lang), header .who button, h1, h2, label, button, th, dt, #result-count, .badge, footer')) {
            const t = (el.innerText || el.textContent || '').trim();
            if (r.test(t)) out.push(`${el.tagName.toLowerCase()}: ${t.slice(0, 40)}`);
          }
          return out;
        }, CJK.source);
        if (cjkUi.length) note('results (English)', `Chinese in UI chrome: ${cjkUi.slice(0, 8).join(' | ')}`);
        await shot(page, 'j1-results-en-mobile.png');
        return `h1 "${h1}", lang=${facts.lang}`;
      });

      await step('the guide in English: chrome translated, screenshot', async () => {
        where = 'guide (English, mobile)';
        await page.goto('/items/XH-GA-000104001000');
        eq(await page.locator('html').getAttribute('lang'), 'en', 'html lang');
        const dts = await page.locator('dl.guide dt').allInnerTexts();
        check(dts.includes('Legal basis'), `dt "Legal basis" present: ${dts.slice(0, 6)}`);
        const zhDt = dts.filter((d) => CJK.test(d));
        if (zhDt.length) note('guide (English)', `untranslated field labels: ${zhDt.join(', ')}`);
        const svgText = await page.locator('.flow svg').textContent();
        if (CJK.test(svgText)) note('guide (English)', `flowchart text is Chinese: ${svgText.slice(0, 60)}`);
        const limits = await page.locator('dl.guide dt:has-text("time limit") + dd').allInnerTexts();
        if (limits.some((l) => CJK.test(l.split('（')[0]))) note('guide (English)', `time limits not translated: ${limits.map((l) => l.split('（')[0]).join(' / ')}`);
        await inspect(page, 'guide (English, mobile 390)');
        return shot(page, 'j1-guide-en-mobile.png');
      });
    } finally {
      await ctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  await journey('admin: edit, reject a bad value, save, publish, diff, public page', async (step) => {
    const ctx = await newContext(DESKTOP);
    const page = await ctx.newPage();
    let where = 'login';
    watchConsole(page, () => where);
    const limitField = page.locator('#f-promised_limit');
    let before = '';
    try {
      await step('sign in as admin and land on /admin/items', async () => {
        await page.goto('/login');
        await page.locator('#username').fill(ADMIN.username);
        await page.locator('#password').fill(ADMIN.password);
        await Promise.all([page.waitForURL(/\/admin\/items(\?|$)/), page.locator('form[action="/login"] button').click()]);
        where = 'admin items';
        eq(new URL(page.url()).pathname, '/admin/items', 'landing page');
        check((await page.locator('table tbody tr').count()) > 0, 'the admin list shows items');
        await inspect(page, 'admin items (desktop)');
      });

      await step(`open the edit form of ${ITEM} (企业设立登记)`, async () => {
        const resp = await page.goto(`/admin/items/${ITEM}/edit`);
        where = 'admin edit';
        eq(resp.status(), 200, 'status');
        check((await text(page.locator('h1'))).includes('企业设立登记'), 'heading names 企业设立登记');
        before = await limitField.inputValue();
        check(before !== '即办', 'promised limit is already 即办: the server data is not fresh (rm -rf the --data dir and restart, or use run.sh)');
        eq(await page.locator('#publish').count(), 0, 'no publish button before any edit');
        return `promised limit now "${before}", legal limit "${await page.locator('#f-legal_limit').inputValue()}"`;
      });

      await step('save 999工作日 → 422 with an error about 承诺时限', async () => {
        await limitField.fill('999工作日');
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/admin/items/${ITEM}/edit`)),
          page.locator('#save').click(),
        ]);
        await page.waitForLoadState('load');
        where = 'admin edit with errors';
        eq(resp.status(), 422, 'HTTP status of the rejected save');
        const box = page.locator('div.errors[role=alert]');
        await box.waitFor();
        const msg = await text(box);
        check(msg.includes('承诺时限'), `error box mentions 承诺时限: ${JSON.stringify(msg)}`);
        const fieldErr = await page.locator('#f-promised_limit ~ .error').allInnerTexts();
        check(fieldErr.some((m) => m.includes('承诺时限')), `error shown next to the field: ${JSON.stringify(fieldErr)}`);
        eq(await limitField.inputValue(), '999工作日', 'the bad value is kept for correction');
        eq(await page.locator('p.notice').count(), 0, 'no "saved" notice');
        await inspect(page, 'admin edit with errors (desktop)');
        await shot(page, 'j2-edit-errors.png');
        return `422; ${msg.replace(/\s+/g, ' ')}`;
      });

      await step('save 即办 → redirected with the 已保存 notice', async () => {
        await limitField.fill('即办');
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/admin/items/${ITEM}/edit`)),
          page.locator('#save').click(),
        ]);
        eq(resp.status(), 303, 'HTTP status of the accepted save');
        await page.waitForURL(/saved=1/);
        where = 'admin edit saved';
        const notice = await text(page.locator('p.notice'));
        check(notice.includes('已保存'), `notice: ${JSON.stringify(notice)}`);
        eq(await limitField.inputValue(), '即办', 'saved value shown');
        eq(await page.locator('div.errors').count(), 0, 'no errors after a good save');
        await inspect(page, 'admin edit saved (desktop)');
        await shot(page, 'j2-edit-saved.png');
        return notice;
      });

      await step('fill the publish note, publish, land on the history page', async () => {
        check(await page.locator('#publish').count() === 1, 'no #publish button after saving a change (nothing to publish?)');
        await page.locator('#note').fill('浏览器测试：承诺时限改为即办');
        await Promise.all([page.waitForURL(new RegExp(`/admin/items/${ITEM}/history(\\?published=\\d+)?$`)), page.locator('#publish').click()]);
        where = 'admin history';
        const rows = page.locator('table').first().locator('tbody tr');
        const versions = await rows.locator('td:first-child').allInnerTexts();
        check(versions.includes('v2'), `a v2 row exists: ${JSON.stringify(versions)}`);
        const v2 = rows.filter({ has: page.locator('td:first-child', { hasText: /^v2$/ }) });
        check((await text(v2)).includes('浏览器测试'), 'v2 row shows the publish note');
        await inspect(page, 'admin history (desktop)');
        return `versions ${versions.join(', ')}`;
      });

      await step('compare v2 with the previous version; #diff lists 承诺办结时限', async () => {
        const v2 = page.locator('table').first().locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^v2$/ }) });
        await Promise.all([page.waitForURL(/from=1&to=2/), v2.locator('a', { hasText: '与上一版本比较' }).click()]);
        where = 'admin diff';
        const diff = page.locator('#diff');
        await diff.waitFor();
        const row = diff.locator('tbody tr').filter({ has: page.locator('td:first-child', { hasText: '承诺办结时限' }) });
        eq(await row.count(), 1, '承诺办结时限 rows in #diff');
        const cells = await row.locator('td').allInnerTexts();
        check(cells[1].includes(before) && cells[2].includes('即办'), `before/after: ${JSON.stringify(cells)}`);
        const fields = await diff.locator('tbody td:first-child').allInnerTexts();
        await inspect(page, 'admin diff (desktop)');
        await shot(page, 'j2-history-diff.png');
        return `changed: ${fields.join('、')}`;
      });

      await step(`public /items/${ITEM} shows 即办 (new version)`, async () => {
        const resp = await page.goto(`/items/${ITEM}`);
        where = 'public guide after publish';
        eq(resp.status(), 200, 'status');
        const limit = await text(page.locator('dl.guide dt:has-text("承诺办结时限") + dd'));
        check(limit.startsWith('即办'), `promised limit on the public page: ${JSON.stringify(limit)}`);
        const meta = await text(page.locator('h1 + p.muted'));
        check(/版本\s*2/.test(meta), `public page shows version 2: ${JSON.stringify(meta)}`);
        await inspect(page, 'public guide after publish (desktop)');
        await shot(page, 'j2-public-guide.png');
        return limit.slice(0, 20);
      });
    } finally {
      await ctx.close();
    }
  });

  await persistent.close();
} catch (e) {
  console.log(`harness error: ${(e && e.stack) || e}`);
  results.push({ name: 'harness', ok: false, why: String(e) });
} finally {
  if (browser) await browser.close().catch(() => {});
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (notes.length) {
  console.log('notes (not assertions; worth a look):');
  for (const n of [...new Set(notes)]) console.log(`  - ${n}`);
}
for (const r of results.filter((r) => !r.ok)) console.log(`failed: ${r.name}: ${r.why}`);
// Counts are of journeys; a journey that never ran (the browser did not start) counts as failed.
const JOURNEYS = 2;
const passed = results.filter((r) => r.ok && r.name !== 'harness').length;
const failed = JOURNEYS - passed;
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
