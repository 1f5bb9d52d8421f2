// Browser journeys for Tongban, driven by playwright-core against the system chromium.
//
//   node journeys.mjs BASE_URL SCREENSHOT_DIR
//
// The server must be fresh (a new --data dir) so that the administrator journey has an edit
// to publish; run.sh next to this file takes care of that.
//
// Journeys: the public catalog; an administrator editing and publishing an item; an applicant on
// a phone applying for an item (form, uploads, submit); a clerk and an approver taking that case
// through acceptance, review, approval and issue, with the notices; a founder starting a company
// through the start-up bundle's one form on a phone, the licence issued and the other parts started;
// a window visit rated 不满意 on the window's tablet without an account, which opens a rectification
// ticket for the clerk (好差评); a 12345 operator taking a confidential call about a street light,
// dispatching it to the unit the routing catalog suggests, whose clerk sees the caller hidden; an
// enterprise on a phone seeing the policies it qualifies for with the rules' reasons, declaring
// the R&D subsidy (or the next policy still open to it), the departments signing and the finance bureau paying, the beneficiary
// published (惠企政策兑现); an item approved and issued by its rule set the moment it is submitted,
// with the trace on the case (秒批); a licence's QR code photographed on a phone and verified, then
// revoked by its unit and verified again (电子证照). Dates are never written in:
// due dates are checked against the server's own calendar API, so the journeys run on any day.
//
// Prints one line per step, notes on things worth a look (horizontal overflow, missing-message
// markers, language mix-ups, console errors) and, at the end, exactly one line
// `browser: N passed, M failed` counting journeys. Exits 0 only when every journey passed.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

// SERVER_TODAY (YYYY-MM-DD) is the server's date when its clock is pinned (the test harness);
// without it the journeys use the real date, as a server started by run.sh does.
const [base, shotDir, serverToday] = [process.argv[2], process.argv[3], process.argv[4]];
if (!base || !shotDir) {
  console.error('usage: node journeys.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
const BASE = base.replace(/\/+$/, '');
fs.mkdirSync(shotDir, { recursive: true });

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
const TABLET = { width: 768, height: 1024 };
const ADMIN = { username: 'admin', password: 'admin-demo-2026' };
const ITEM = 'XH-SPJ-000101001000'; // 企业设立登记, legal limit 3工作日
const SEAL = '印章刻制备案';
// Cases on the statutory clock: 公共场所卫生许可, legal limit 20 working days, promised 3; four
// materials for the applicant to upload (营业执照 is shared by the unit, nothing to upload).
const CASE_ITEM = 'XH-SPJ-000101007000';
const CASE_ITEM_NAME = '公共场所卫生许可';
const CASE_LEGAL_DAYS = 20;
const CASE_PROMISED_DAYS = 3;
const APPLICANT = { username: 'company', password: 'company-demo-2026' };
const CLERK = { username: 'clerk.spj', password: 'clerk-spj-demo-2026' };
const APPROVER = { username: 'approver.spj', password: 'approver-spj-demo-2026' };
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// 企业开办一件事: the founder, a registered name (same 字号 refused), a valid and a bad ID number,
// and the shape of a code issued in the district (9 + 1 + 360103 + MA + 8).
const FOUNDER = { username: 'citizen', password: 'citizen-demo-2026' };
const TAKEN_NAME = '南昌市西湖区洪城数智科技有限公司';
const VALID_ID = '360103199003120276';
const BAD_ID = '360103199003120277';
const USCC = /^91360103MA[0-9A-Z]{8}$/;
const CJK = /[\u3400-\u9fff]/;
// 好差评: a bad rating that is not real-name with a demand is due in the office's working days
// (5 unless the office set another number: GET /api/v1/reviews/settings).
const RECTIFY_DAYS = 5;
// 12345: the operator, the unit the routing catalog names for street lights, and its clerk; a
// 求助 (request for help) is to be answered within 3 working days of the dispatch.
const OPERATOR = { username: 'operator', password: 'operator-demo-2026' };
const CJJ = { code: 'XH-CJJ', name: '西湖区城市建设局', clerk: { username: 'clerk.cjj', password: 'clerk-cjj-demo-2026' } };
const HELP_REPLY_DAYS = 3;
// 惠企政策: the policies the demo enterprise may declare for, in order of preference (the demo
// may already have declared some; the journey takes the first still offered), the departments
// that sign them with their approvers; the finance bureau also pays. Amounts as pages write them.
const UNITS = {
  'XH-JKT': { name: '西湖区教育科技体育局', user: { username: 'approver.jkt', password: 'approver-jkt-demo-2026' }, opinion: '研发费用审计报告真实有效，同意补助。' },
  'XH-RSJ': { name: '西湖区人力资源和社会保障局', user: { username: 'approver.rsj', password: 'approver-rsj-demo-2026' }, opinion: '劳动合同与参保记录相符，同意。' },
  'XH-SWU': { name: '西湖区商务局', user: { username: 'approver.swu', password: 'approver-swu-demo-2026' }, opinion: '贷款合同与付息凭证相符，同意。' },
  'XH-FGW': { name: '西湖区发展和改革委员会', user: { username: 'approver.fgw', password: 'approver-fgw-demo-2026' }, opinion: '符合瞪羚企业培育条件，同意。' },
  'XH-CZJ': { name: '西湖区财政局', user: { username: 'approver.czj', password: 'approver-czj-demo-2026' }, opinion: '预算充足，同意。' },
};
const PAYER = 'XH-CZJ';
const PAYER_USER = { username: 'clerk.czj', password: 'clerk-czj-demo-2026' };
const POLICIES = [
  { code: 'KJ-RD', name: '科技型中小企业研发费用补助', departments: ['XH-JKT', 'XH-CZJ'] },
  { code: 'GRAD', name: '吸纳高校毕业生就业补贴', departments: ['XH-RSJ', 'XH-CZJ'] },
  { code: 'CYXD', name: '财园信贷通贷款贴息', departments: ['XH-CZJ', 'XH-SWU'] },
  { code: 'DL-AWARD', name: '瞪羚企业培育奖励', departments: ['XH-JKT', 'XH-FGW', 'XH-CZJ'] },
];
const MONEY = /^[\d,]+\.\d{2}元$/;
// 秒批: an item decided by its rule set (the licence must expire 30 to 90 days from today).
const AUTO_ITEM = { code: 'XH-SPJ-000101015000', name: '食品经营许可延续', ruleSet: '食品经营许可延续自动审批规则' };

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

// JOURNEYS_ONLY=word,word runs only the journeys whose names contain one of the words (while
// working on them; the others then count as not passed).
const ONLY = (process.env.JOURNEYS_ONLY || '').split(',').map((w) => w.trim()).filter(Boolean);

async function journey(name, body) {
  if (ONLY.length && !ONLY.some((w) => name.includes(w))) {
    console.log(`journey: ${name} (skipped: JOURNEYS_ONLY)`);
    return;
  }
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

// The row of a case in a case list (/cases), following 下一页 when the list runs to more pages.
async function findCaseRow(page, caseId) {
  for (let n = 0; n < 20; n += 1) {
    const row = page.locator(`#case-${caseId}`);
    if (await row.count()) return row;
    const next = page.locator('p.pager a', { hasText: '下一页' });
    if (!(await next.count())) break;
    await Promise.all([page.waitForURL(/page=\d+/), next.click()]);
  }
  throw new Failure(`case ${caseId} is not in the list at ${page.url().replace(BASE, '')}`);
}

// A small PDF as the server recognises it (by content: it starts with %PDF-).
function pdf(name) {
  return {
    name,
    mimeType: 'application/pdf',
    buffer: Buffer.from(`%PDF-1.4\n% ${name}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`),
  };
}

// Today in the district (the server counts days in Asia/Shanghai), as YYYY-MM-DD.
function districtToday() {
  if (serverToday) return serverToday;
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// `days` natural days after today in the district, as YYYY-MM-DD.
function districtDatePlus(days) {
  const d = new Date(`${districtToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function signIn(page, who) {
  await page.goto('/login');
  await page.locator('#username').fill(who.username);
  await page.locator('#password').fill(who.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.locator('form[action="/login"] button').click()]);
  const name = await text(page.locator('header .who .user'));
  check(name.length > 0, `signed in as ${who.username} (the header names the user)`);
  return name;
}

// Clicks a button that posts a form and waits for the page it leads to (the server answers
// 303 to the case, or re-renders the case with the errors).
async function post(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
}

// Fails with the server's messages when a case page shows an error box.
async function noCaseErrors(page, what) {
  const box = page.locator('#case-errors');
  if (await box.count()) throw new Failure(`${what}: the case page shows errors: ${(await text(box)).replace(/\s+/g, ' ')}`);
}

// `working_days` after `from` as the server's calendar counts them, or null when the year is
// not loaded (409 calendar_year_not_loaded, with the year in `errors[].detail`).
async function calendarAdd(request, from, days) {
  const r = await request.get(`/api/v1/calendar/add?from=${from}&working_days=${days}`);
  check(r.ok(), `GET /api/v1/calendar/add?from=${from}&working_days=${days}: HTTP ${r.status()}`);
  const body = await r.json();
  return { due: body.due, provisional: body.provisional, years: body.provisional_years };
}

// The server counts a year whose holiday notice is not loaded on the statutory holidays and says
// `provisional`; the journeys note it when their deadlines depend on such a year.
async function ensureCalendar(newContext, step, days) {
  const ctx = await newContext(DESKTOP);
  try {
    const r = await calendarAdd(ctx.request, districtToday(), days);
    if (r.provisional) note('calendar', `deadlines counted provisionally over ${r.years.join(', ')} (statutory holidays only until the notice is loaded)`);
    return r.due;
  } finally {
    await ctx.close();
  }
}

// The applicant's part, used by the applicant journey and (when that one did not get as far)
// by the clerk journey to have a submitted case of its own: apply for CASE_ITEM, fill the form,
// upload a PDF for every material that takes one, submit. Returns the case number.
async function applyAndSubmit(page, step, shots) {
  let caseId = '';
  await step(`open the guide of ${CASE_ITEM_NAME} and click 在线申请`, async () => {
    await page.goto(`/items/${CASE_ITEM}`);
    eq(await text(page.locator('h1')), CASE_ITEM_NAME, 'guide heading');
    const apply = page.locator('a#apply');
    eq(await text(apply), '在线申请', 'apply button');
    await Promise.all([page.waitForURL(new RegExp(`/items/${CASE_ITEM}/apply$`)), apply.click()]);
    check((await text(page.locator('h1'))).includes(CASE_ITEM_NAME), 'apply page names the item');
    const contact = await page.locator('#contact_name').inputValue();
    check(contact.length > 0, 'contact name is filled in from the account');
    if (shots) {
      await inspect(page, 'apply form (mobile 390)');
      return shot(page, 'j3-apply-form-mobile.png');
    }
    return undefined;
  });

  await step('fill the form and 保存并继续 → a draft case', async () => {
    await page.locator('#contact_phone').fill('13907910001');
    await page.locator('#address').fill('南昌市西湖区中山西路100号');
    await page.locator('#details').fill('申请开办美容美发店，营业面积120平方米，浏览器测试。');
    await post(page, page.locator('#create-draft'));
    const m = new URL(page.url()).pathname.match(/^\/cases\/(\d{4}-\d{6})$/);
    check(m, `landed on the new case: ${page.url()}`);
    caseId = m[1];
    eq(await text(page.locator('#case-state')), '草稿', 'state of the new case');
    eq(await page.locator('#details').inputValue(), '申请开办美容美发店，营业面积120平方米，浏览器测试。', 'the form keeps the details');
    return `case ${caseId}`;
  });

  await step('upload a PDF for each material; none is missing any more', async () => {
    const forms = page.locator('form.upload');
    const n = await forms.count();
    check(n >= 3, `upload forms for the materials: ${n}`);
    for (let i = 0; i < n; i += 1) {
      const form = page.locator('form.upload').nth(i);
      const material = await form.locator('input[type=file]').getAttribute('aria-label');
      await form.locator('input[type=file]').setInputFiles(pdf(`材料${i + 1}.pdf`));
      await post(page, form.locator('button'));
      await noCaseErrors(page, `upload for ${material}`);
      const row = page.locator('#materials tbody tr', { hasText: material });
      check((await text(row)).includes(`材料${i + 1}.pdf`), `the row of ${material} shows the uploaded file`);
    }
    eq(await page.locator('#materials .error').count(), 0, '未提交 markers left');
    eq(await page.locator('#form-submit .error').count(), 0, 'missing-materials warning above the submit button');
    if (shots) {
      const facts = await inspect(page, 'case draft (mobile 390)');
      check(facts.scrollWidth <= facts.innerWidth + 1, `the case page fits the phone: ${facts.scrollWidth}px wide in ${facts.innerWidth}px`);
      await shot(page, 'j3-case-draft-mobile.png');
    }
    return `${n} file(s)`;
  });

  await step('提交申请 → state 已提交 and the correction deadline is shown', async () => {
    const before = districtToday();
    await post(page, page.locator('#act-submit'));
    const after = districtToday();
    await noCaseErrors(page, 'submit');
    eq(await text(page.locator('#case-state')), '已提交', 'state after submitting');
    const deadline = await text(page.locator('#correction-deadline'));
    check(DATE.test(deadline), `correction deadline is a date: ${JSON.stringify(deadline)}`);
    // Five working days after the day of receipt, as the server's calendar counts them.
    const expect = new Set();
    for (const d of new Set([before, after])) {
      const r = await calendarAdd(page.request, d, 5);
      if (r.due) expect.add(r.due);
    }
    check(expect.has(deadline), `correction deadline ${deadline} is 5 working days after receipt (${[...expect].join(' or ')})`);
    eq(await page.locator('#case-form').count(), 0, 'the form is no longer editable');
    eq(await page.locator('form.upload').count(), 0, 'no more upload forms');
    return `case ${caseId}, correction deadline ${deadline}`;
  });
  return caseId;
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
  const newContext = async (viewport, extra = {}) => {
    const ctx = await browser.newContext({ viewport, locale: 'zh-CN', baseURL: BASE, ...extra });
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

  // -------------------------------------------------------------------------------------------
  // Cases on the statutory clock. The applicant journey leaves a submitted case for the clerk
  // journey; if it did not get that far, the clerk journey submits one of its own.
  let submittedCase = '';

  await journey('applicant: apply on a phone, upload materials, submit', async (step) => {
    await ensureCalendar(newContext, step, CASE_LEGAL_DAYS);
    const ctx = await newContext(MOBILE);
    const page = await ctx.newPage();
    let where = 'login (applicant)';
    watchConsole(page, () => where);
    try {
      await step('sign in as the company applicant on a 390x844 phone', async () => {
        const who = await signIn(page, APPLICANT);
        where = 'applicant pages (mobile)';
        return who;
      });

      const caseId = await applyAndSubmit(page, step, true);
      where = `case ${caseId} (mobile)`;

      await step('the submitted case reads well on the phone: state badge, deadline, no sideways scroll', async () => {
        const badge = page.locator('#case-state');
        check((await badge.getAttribute('class')).split(/\s+/).includes('state-submitted'), 'state badge has class state-submitted');
        check(await page.locator('#correction-deadline').isVisible(), 'the correction deadline is visible');
        const history = await page.locator('#history li').allInnerTexts();
        check(history.some((h) => h.includes('提交申请')), `history records the submission: ${history.slice(-2).join(' | ')}`);
        const facts = await inspect(page, 'case submitted (mobile 390)');
        check(facts.scrollWidth <= facts.innerWidth + 1, `no horizontal scrolling: ${facts.scrollWidth}px in ${facts.innerWidth}px; widest: ${facts.wide.join(', ')}`);
        return shot(page, 'j3-case-submitted-mobile.png');
      });

      await step('我的办件 lists the case as 已提交', async () => {
        await Promise.all([page.waitForURL(/\/cases$/), page.locator('header nav a', { hasText: '我的办件' }).click()]);
        where = 'my cases (mobile)';
        const row = await findCaseRow(page, caseId);
        check((await text(row)).includes(CASE_ITEM_NAME), `row names ${CASE_ITEM_NAME}`);
        eq(await text(row.locator('.badge[class*="state-"]')), '已提交', 'state in the list');
        await inspect(page, 'my cases (mobile 390)');
        return shot(page, 'j3-my-cases-mobile.png');
      });

      await step('the case in English: state and labels from the catalog, no ‹?›', async () => {
        await page.goto(`/cases/${caseId}`);
        await page.locator('a.lang').click();
        await page.waitForFunction(() => document.documentElement.lang === 'en');
        await page.waitForLoadState('load');
        where = `case ${caseId} (English, mobile)`;
        eq(await text(page.locator('#case-state')), 'Submitted', 'state in English');
        const labels = await page.locator('#clock h2, #actions h2, #actions h3, #materials td[data-label]').evaluateAll((els) =>
          els.map((e) => (e.tagName === 'TD' ? e.getAttribute('data-label') : e.innerText).trim()));
        const cjk = labels.filter((l) => CJK.test(l));
        check(cjk.length === 0, `labels in English: ${cjk.join(' | ')}`);
        const facts = await inspect(page, 'case submitted (English, mobile 390)');
        eq(facts.missing, 0, 'missing-message markers');
        return shot(page, 'j3-case-submitted-en-mobile.png');
      });
      submittedCase = caseId;
    } finally {
      await ctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  await journey('clerk and approver: queue, accept, review, approve, notice', async (step) => {
    await ensureCalendar(newContext, step, CASE_LEGAL_DAYS);
    let caseId = submittedCase;
    if (!caseId) {
      const actx = await newContext(MOBILE);
      try {
        const apage = await actx.newPage();
        await step('(the applicant journey left no case) submit one as the applicant', () => signIn(apage, APPLICANT));
        caseId = await applyAndSubmit(apage, step, false);
      } finally {
        await actx.close();
      }
    }

    const ctx = await newContext(DESKTOP);
    const page = await ctx.newPage();
    let where = 'login (clerk)';
    watchConsole(page, () => where);
    const opinion = '材料齐全，符合法定形式；经书面审查，场所卫生条件符合要求。';
    const reasons = '符合《公共场所卫生管理条例》第八条规定的条件，准予行政许可。';
    let legalDue = '';
    try {
      await step('sign in as clerk.spj and find the case in the 待办件 queue', async () => {
        await signIn(page, CLERK);
        await Promise.all([page.waitForURL(/\/cases$/), page.locator('header nav a', { hasText: '待办件' }).click()]);
        where = 'queue (clerk)';
        const row = await findCaseRow(page, caseId);
        const t = await text(row);
        check(t.includes(CASE_ITEM_NAME) && t.includes('已提交'), `queue row: ${t.replace(/\s+/g, ' ')}`);
        await inspect(page, 'queue (desktop)');
        await shot(page, 'j4-queue.png');
        await Promise.all([page.waitForURL(new RegExp(`/cases/${caseId}$`)), row.locator('a', { hasText: caseId }).click()]);
        where = `case ${caseId} (clerk)`;
        eq(await text(page.locator('#case-state')), '已提交', 'state before acceptance');
        eq(await page.locator('#act-approve').count(), 0, 'no approve button for the clerk');
        return `row: ${t.replace(/\s+/g, ' ')}`;
      });

      await step('受理 → state 审查中, legal and promised due dates from the calendar', async () => {
        await post(page, page.locator('#act-accept'));
        await noCaseErrors(page, 'accept');
        eq(await text(page.locator('#case-state')), '审查中', 'state after acceptance');
        const started = (await text(page.locator('#started-on'))).slice(0, 10);
        check(DATE.test(started), `clock start is a date: ${started}`);
        legalDue = await text(page.locator('#legal-due'));
        const promised = await text(page.locator('#promised-due'));
        const wantLegal = (await calendarAdd(page.request, started, CASE_LEGAL_DAYS)).due;
        const wantPromised = (await calendarAdd(page.request, started, CASE_PROMISED_DAYS)).due;
        eq(legalDue, wantLegal, `法定期限 (${CASE_LEGAL_DAYS} working days after ${started})`);
        eq(promised, wantPromised, `承诺期限 (${CASE_PROMISED_DAYS} working days after ${started})`);
        const status = await text(page.locator('#clock-status'));
        check(['正常', '即将到期'].includes(status), `clock status just after acceptance: ${status}`);
        await inspect(page, 'case in review (desktop)');
        await shot(page, 'j4-case-review.png');
        return `started ${started}, promised ${promised}, legal ${legalDue}, ${status}`;
      });

      await step('the 受理通知书 carries the same legal due date', async () => {
        await Promise.all([page.waitForURL(/\/notices\/acceptance$/), page.locator('#notices a', { hasText: '受理通知书' }).click()]);
        where = 'acceptance notice';
        check((await text(page.locator('#notice-number'))).includes('〔'), 'document number has 〔');
        eq(await text(page.locator('#notice-legal-due')), legalDue, 'legal due on the notice');
        await inspect(page, 'acceptance notice (desktop)');
        await shot(page, 'j4-acceptance-notice.png');
        await Promise.all([page.waitForURL(new RegExp(`/cases/${caseId}$`)), page.locator('a', { hasText: '返回办件' }).click()]);
        where = `case ${caseId} (clerk)`;
      });

      await step('complete the review step with an opinion', async () => {
        const form = page.locator('#form-step');
        const stepName = await text(form.locator('h3'));
        await page.locator('#opinion').fill(opinion);
        await post(page, page.locator('#act-complete_step'));
        await noCaseErrors(page, 'complete_step');
        eq(await text(page.locator('#case-state')), '审查中', 'state while waiting for the decision');
        eq(await page.locator('#form-step').count(), 0, 'no review step left');
        eq(await page.locator('#act-approve').count(), 0, 'the clerk cannot decide');
        const history = await page.locator('#history li').allInnerTexts();
        check(history.some((h) => h.includes('完成本环节') && h.includes(opinion)), 'history has the step and the opinion');
        return `step ${stepName}`;
      });

      const actx = await newContext(DESKTOP);
      const ap = await actx.newPage();
      watchConsole(ap, () => `case ${caseId} (approver)`);
      try {
        await step('approver.spj approves; state 准予许可', async () => {
          await signIn(ap, APPROVER);
          await ap.goto('/cases');
          const row = await findCaseRow(ap, caseId);
          await Promise.all([ap.waitForURL(new RegExp(`/cases/${caseId}$`)), row.locator('a', { hasText: caseId }).click()]);
          await ap.locator('#decide-reasons').fill(reasons);
          await post(ap, ap.locator('#act-approve'));
          await noCaseErrors(ap, 'approve');
          eq(await text(ap.locator('#case-state')), '准予许可', 'state after approval');
          check((await text(ap.locator('#decision'))).includes(reasons), 'the decision shows the reasons');
          await inspect(ap, 'case approved (desktop)');
          return shot(ap, 'j4-case-approved.png');
        });

        await step('the 准予行政许可决定书 opens, numbered with 〔year〕, and prints without the site chrome', async () => {
          await Promise.all([ap.waitForURL(/\/notices\/approval$/), ap.locator('#notices a', { hasText: '准予行政许可决定书' }).click()]);
          const number = await text(ap.locator('#notice-number'));
          check(/〔\d{4}〕/.test(number), `document number: ${JSON.stringify(number)}`);
          const title = await text(ap.locator('#notice h1'));
          check(title.includes('准予行政许可决定书') && title.includes('西湖区行政审批局'), `notice heading: ${JSON.stringify(title)}`);
          check((await text(ap.locator('#notice'))).includes(reasons), 'the notice gives the reasons');
          await inspect(ap, 'approval notice (desktop)');
          await shot(ap, 'j4-approval-notice.png');
          await ap.emulateMedia({ media: 'print' });
          check(!(await ap.locator('header.top').isVisible()), 'header hidden when printed');
          check(!(await ap.locator('footer').isVisible()), 'footer hidden when printed');
          check(!(await ap.locator('.noprint').first().isVisible()), 'print button hidden when printed');
          check(await ap.locator('#notice-number').isVisible(), 'the notice itself prints');
          await shot(ap, 'j4-approval-notice-print.png');
          await ap.emulateMedia({ media: 'screen' });
          return number;
        });
      } finally {
        await actx.close();
      }

      await step('the clerk issues the result; state 已办结, clock 按期办结', async () => {
        await page.reload();
        await post(page, page.locator('#act-issue'));
        await noCaseErrors(page, 'issue');
        eq(await text(page.locator('#case-state')), '已办结', 'state after issuing');
        eq(await text(page.locator('#clock-status')), '按期办结', 'clock after issuing');
        const notices = await page.locator('#notices li').allInnerTexts();
        check(notices.length >= 2, `notices: ${notices.join(' | ')}`);
        await inspect(page, 'case issued (desktop)');
        await shot(page, 'j4-case-issued.png');
        return notices.map((n) => n.replace(/\s+/g, ' ')).join('; ');
      });
    } finally {
      await ctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  // 企业开办一件事 (R1): the applicant fills the one form on a phone, the licence part runs at
  // the approval office (clerk.spj, approver.spj), its approval issues the 统一社会信用代码 and
  // its issue starts the seal, tax and other parts by themselves.
  await journey('start-up bundle: one form on a phone, licence issued, code and parts started', async (step) => {
    await ensureCalendar(newContext, step, CASE_LEGAL_DAYS);
    const ctx = await newContext(MOBILE);
    const page = await ctx.newPage();
    let where = 'login (founder)';
    watchConsole(page, () => where);
    // A fresh trade name each run (two characters no registered name shares), ending in 有限公司.
    const pool = '青蓝云帆星松竹梅兰晨曦锦瑞祥嘉沐泽岚翠柏';
    const pick = () => pool[Math.floor(Math.random() * pool.length)];
    const company = `南昌市西湖区${pick()}${pick()}科技有限公司`;
    const scope = '软件开发；信息技术咨询服务；数据处理服务。';
    let bundleId = '';
    let licenceCase = '';
    const bundleRow = (p, key) => p.locator(`#bundle-parts tr.part-${key}`);
    const partState = (p, key) => text(bundleRow(p, key).locator('td.state .badge'));
    try {
      await step(`sign in as ${FOUNDER.username} on a 390x844 phone and open 一件事 → 企业开办一件事`, async () => {
        const who = await signIn(page, FOUNDER);
        await Promise.all([page.waitForURL(/\/bundles$/), page.locator('header nav a', { hasText: '一件事' }).first().click()]);
        where = 'my bundles (mobile)';
        await Promise.all([page.waitForURL(/\/bundles\/startup\/new$/), page.locator('#new-startup').click()]);
        where = 'start-up form (mobile)';
        eq(await text(page.locator('h1')), '企业开办一件事', 'form heading');
        const facts = await inspect(page, 'start-up form (mobile 390)');
        check(facts.scrollWidth <= facts.innerWidth + 1, `the form fits the phone: ${facts.scrollWidth}px in ${facts.innerWidth}px; widest: ${facts.wide.join(', ')}`);
        // Full-width fields on the phone: the name box spans (nearly) the whole group.
        const [box, group] = await Promise.all([page.locator('#company_name').boundingBox(), page.locator('#group-company').boundingBox()]);
        check(box.width >= group.width - 48, `company name box is full width: ${Math.round(box.width)}px in a ${Math.round(group.width)}px group`);
        await shot(page, 'j5-startup-form-mobile.png');
        return `${who}; ${company}`;
      });

      const fill = async (name, id) => {
        await page.locator('#company_name').fill(name);
        await page.locator('#registered_capital').fill('1000000');
        await page.locator('#domicile').fill('南昌市西湖区中山西路100号');
        await page.locator('#business_scope').fill(scope);
        await page.locator('#lr_name').fill('陈志强');
        await page.locator('#lr_id').fill(id);
        await page.locator('#lr_phone').fill('13907910001');
        await page.locator('#sh0_name').fill('陈志强');
        await page.locator('#sh0_id').fill(VALID_ID);
        await page.locator('#sh0_amount').fill('1000000');
        await page.locator('#staff').fill('3');
        await page.locator('#bank').fill('江西银行西湖支行');
      };

      await step('a registered name and a bad ID number → 422 with both errors in Chinese, entries kept', async () => {
        await fill(TAKEN_NAME, BAD_ID);
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/bundles/startup')),
          page.locator('#start-bundle').click(),
        ]);
        await page.waitForLoadState('load');
        where = 'start-up form with errors (mobile)';
        eq(resp.status(), 422, 'HTTP status of the refused form');
        const errors = await page.locator('#bundle-errors li').allInnerTexts();
        check(errors.some((e) => e.includes('企业名称') && e.includes(TAKEN_NAME)), `the name error names the registered company: ${JSON.stringify(errors)}`);
        check(errors.some((e) => e.includes('法定代表人身份证号') && e.includes('校验码')), `the ID error names the field and the check digit: ${JSON.stringify(errors)}`);
        check(errors.every((e) => CJK.test(e) && !/[a-z_]{4,}/.test(e)), `errors read as Chinese sentences, no codes: ${JSON.stringify(errors)}`);
        eq(await page.locator('#company_name').inputValue(), TAKEN_NAME, 'the name is kept');
        eq(await page.locator('#business_scope').inputValue(), scope, 'the business scope is kept');
        eq(await page.locator('#sh0_id').inputValue(), VALID_ID, 'the shareholder is kept');
        check(await page.locator('input[name=social_insurance]').isChecked(), 'the social insurance box stays ticked');
        const facts = await inspect(page, 'start-up form with errors (mobile 390)');
        check(facts.scrollWidth <= facts.innerWidth + 1, `no sideways scrolling with errors: ${facts.scrollWidth}px`);
        await shot(page, 'j5-startup-errors-mobile.png');
        return errors.join(' | ');
      });

      await step('correct the name and the ID number, submit → the bundle page: 办理中, timeline, licence and bank started', async () => {
        await page.locator('#company_name').fill(company);
        await page.locator('#lr_id').fill(VALID_ID);
        await post(page, page.locator('#start-bundle'));
        const m = new URL(page.url()).pathname.match(/^\/bundles\/(B\d{4}-\d{6})$/);
        check(m, `landed on the bundle: ${page.url()} ${await page.locator('#bundle-errors').count() ? await text(page.locator('#bundle-errors')) : ''}`);
        bundleId = m[1];
        where = `bundle ${bundleId} (mobile)`;
        eq(await text(page.locator('h1')), company, 'heading names the company');
        const badge = page.locator('#bundle-state');
        eq(await text(badge), '办理中', 'bundle state');
        check((await badge.getAttribute('class')).split(/\s+/).includes('bundle-in_progress'), 'state badge has class bundle-in_progress');
        eq(await page.locator('#bundle-uscc').count(), 0, 'no code before the licence is approved');
        eq(await page.locator('#bundle-gantt svg').count(), 1, 'inline SVG timeline');
        const rows = await page.locator('#bundle-gantt svg text').allTextContents();
        check(rows.some((t) => t.includes('企业设立登记')) && rows.some((t) => t.includes('印章刻制备案')), `timeline rows name the parts: ${rows.join(' | ')}`);
        const bars = await page.locator('#bundle-gantt svg rect:has(title)').count();
        check(bars >= 8, `a bar (with its tooltip) for every part: ${bars}`);
        const licence = bundleRow(page, 'licence');
        check((await text(licence.locator('td.name'))).includes('企业设立登记'), 'the licence part is 企业设立登记');
        eq(await partState(page, 'licence'), '已提交', 'licence part state');
        check(DATE.test((await text(licence.locator('td.time').first())).slice(0, 10)), 'licence part has a start time');
        const link = licence.locator('td.case a');
        licenceCase = await text(link);
        check(/^\d{4}-\d{6}$/.test(licenceCase), `licence case number: ${licenceCase}`);
        eq(await partState(page, 'bank'), '已提交', 'bank appointment runs from the start');
        eq(await partState(page, 'seal'), '等待前置事项', 'seal waits for the licence');
        eq(await bundleRow(page, 'seal').locator('td.case a').count(), 0, 'no case for the seal yet');
        // Readable on the phone: the page does not scroll sideways, the timeline scrolls in its box.
        const facts = await inspect(page, 'bundle started (mobile 390)');
        check(facts.scrollWidth <= facts.innerWidth + 1, `no sideways scrolling: ${facts.scrollWidth}px in ${facts.innerWidth}px; widest: ${facts.wide.join(', ')}`);
        const g = await page.locator('#bundle-gantt').evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth, overflow: getComputedStyle(el).overflowX }));
        check(g.sw <= g.cw + 1 || ['auto', 'scroll'].includes(g.overflow), `a wide timeline scrolls inside its box: ${JSON.stringify(g)}`);
        // Parts read as one card per row on the phone.
        eq(await page.locator('#bundle-parts thead').evaluate((el) => getComputedStyle(el).position), 'absolute', 'parts table header hidden (stacked rows)');
        await shot(page, 'j5-bundle-started-mobile.png');
        return `${bundleId}, licence case ${licenceCase}, ${bars} timeline bars, timeline ${g.sw}px in ${g.cw}px`;
      });
    } finally {
      await ctx.close();
    }

    // The approval office, on desktops.
    const cctx = await newContext(DESKTOP);
    const clerk = await cctx.newPage();
    let cwhere = 'login (clerk)';
    watchConsole(clerk, () => cwhere);
    const actx = await newContext(DESKTOP);
    const ap = await actx.newPage();
    watchConsole(ap, () => `licence ${licenceCase} (approver)`);
    const reasons = '申请材料齐全，符合《中华人民共和国公司法》规定的设立条件，准予设立登记。';
    let code = '';
    try {
      await step('clerk.spj opens the licence case from the bundle page and accepts it (受理)', async () => {
        await signIn(clerk, CLERK);
        await clerk.goto(`/bundles/${bundleId}`);
        cwhere = `bundle ${bundleId} (clerk)`;
        await Promise.all([clerk.waitForURL(new RegExp(`/cases/${licenceCase}$`)), bundleRow(clerk, 'licence').locator('td.case a').click()]);
        cwhere = `licence ${licenceCase} (clerk)`;
        eq(await text(clerk.locator('h1')), '企业设立登记', 'case heading');
        eq(await text(clerk.locator('#case-state')), '已提交', 'state before acceptance');
        eq(await text(clerk.locator('#case-bundle')), `一件事 ${bundleId}`, 'the case links back to its bundle');
        await post(clerk, clerk.locator('#act-accept'));
        await noCaseErrors(clerk, 'accept');
        eq(await text(clerk.locator('#case-state')), '审查中', 'state after acceptance');
        await inspect(clerk, 'licence accepted (desktop)');
      });

      await step('the review steps the process names are completed by their roles', async () => {
        await signIn(ap, APPROVER);
        const done = [];
        for (let round = 0; round < 6; round += 1) {
          let acted = false;
          for (const [p, who] of [[clerk, 'clerk'], [ap, 'approver']]) {
            await p.goto(`/cases/${licenceCase}`);
            if (await p.locator('#act-complete_step').count()) {
              const name = await text(p.locator('#form-step h3'));
              await p.locator('#opinion').fill('材料齐全，符合法定形式，核准名称与登记事项一致。');
              await post(p, p.locator('#act-complete_step'));
              await noCaseErrors(p, 'complete_step');
              done.push(`${name} (${who})`);
              acted = true;
              break;
            }
          }
          if (!acted) break;
        }
        eq(await text(ap.locator('#case-state')), '审查中', 'state while waiting for the decision');
        eq(await ap.locator('#form-step').count(), 0, 'no review step left');
        eq(await clerk.locator('#act-approve').count(), 0, 'the clerk cannot decide');
        return done.length ? done.join(', ') : 'the process has no review step before the decision';
      });

      await step('approver.spj approves: 准予许可, and the case carries the new 统一社会信用代码', async () => {
        await ap.goto(`/cases/${licenceCase}`);
        await ap.locator('#decide-reasons').fill(reasons);
        await post(ap, ap.locator('#act-approve'));
        await noCaseErrors(ap, 'approve');
        eq(await text(ap.locator('#case-state')), '准予许可', 'state after approval');
        code = await text(ap.locator('#case-uscc'));
        check(USCC.test(code), `code on the case: ${JSON.stringify(code)}`);
        await inspect(ap, 'licence approved (desktop)');
        await shot(ap, 'j5-licence-approved.png');
        return code;
      });

      await step('the bundle shows the code; the seal still waits for the licence to be issued', async () => {
        await ap.goto(`/bundles/${bundleId}`);
        eq(await text(ap.locator('#bundle-uscc strong')), code, 'code on the bundle page');
        eq(await partState(ap, 'licence'), '准予许可', 'licence part state');
        eq(await partState(ap, 'seal'), '等待前置事项', 'seal part before the licence is issued');
      });

      await step('clerk.spj issues the licence: 已办结', async () => {
        await clerk.goto(`/cases/${licenceCase}`);
        await post(clerk, clerk.locator('#act-issue'));
        await noCaseErrors(clerk, 'issue');
        eq(await text(clerk.locator('#case-state')), '已办结', 'state after issuing');
        await inspect(clerk, 'licence issued (desktop)');
      });
    } finally {
      await cctx.close();
      await actx.close();
    }

    const fctx = await newContext(MOBILE);
    const fp = await fctx.newPage();
    watchConsole(fp, () => `bundle ${bundleId} (founder, after the licence)`);
    try {
      await step('on the phone the bundle shows the code prominently and the seal, tax and insurance parts started', async () => {
        await signIn(fp, FOUNDER);
        await fp.goto(`/bundles/${bundleId}`);
        eq(await text(fp.locator('#bundle-state')), '办理中', 'bundle still in progress');
        const shown = await text(fp.locator('#bundle-uscc strong'));
        check(USCC.test(shown), `统一社会信用代码 on the bundle page: ${JSON.stringify(shown)}`);
        eq(shown, code, 'the same code as on the case');
        check((await text(fp.locator('#bundle-uscc'))).includes('统一社会信用代码'), 'the code is labelled');
        const size = await fp.locator('#bundle-uscc strong').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
        check(size >= 18, `the code stands out: ${size}px`);
        eq(await partState(fp, 'licence'), '已办结', 'licence part');
        const started = [];
        for (const key of ['seal', 'tax', 'social_insurance', 'medical_insurance', 'housing_fund']) {
          const state = await partState(fp, key);
          check(state === '已提交', `${key} part started by itself: ${state}`);
          const id = await text(bundleRow(fp, key).locator('td.case'));
          check(/^\d{4}-\d{6}$/.test(id), `${key} part has a case: ${id}`);
          started.push(`${key} ${id}`);
        }
        eq(await partState(fp, 'invoices'), '等待前置事项', 'invoices wait for the tax registration');
        const facts = await inspect(fp, 'bundle after the licence (mobile 390)');
        check(facts.scrollWidth <= facts.innerWidth + 1, `no sideways scrolling: ${facts.scrollWidth}px`);
        await shot(fp, 'j5-bundle-licence-issued-mobile.png');
        return `${shown}; ${started.join(', ')}`;
      });

      await step('the bundle in English: state, labels and parts from the catalog, no ‹?›', async () => {
        await fp.locator('a.lang').click();
        await fp.waitForFunction(() => document.documentElement.lang === 'en');
        await fp.waitForLoadState('load');
        eq(await text(fp.locator('#bundle-state')), 'In progress', 'state in English');
        const labels = await fp.locator('#bundle-clock h2, #bundle-clock h3, .legend, #bundle-parts td[data-label]').evaluateAll((els) =>
          els.map((e) => (e.tagName === 'TD' ? e.getAttribute('data-label') : e.innerText).trim()));
        const cjk = labels.filter((l) => CJK.test(l));
        check(cjk.length === 0, `labels in English: ${cjk.join(' | ')}`);
        const facts = await inspect(fp, 'bundle (English, mobile 390)');
        eq(facts.missing, 0, 'missing-message markers');
        await shot(fp, 'j5-bundle-en-mobile.png');
        await fp.locator('a.lang').click();
        await fp.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      });
    } finally {
      await fctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  // 好差评 at the window (R5): the clerk records a visit and shows its code; the person rates it on
  // the window's tablet without an account; a bad rating opens a rectification ticket for the unit.
  await journey('window pad: a visit rated 不满意 on a tablet without an account opens a rectification ticket', async (step) => {
    let officeDays = RECTIFY_DAYS;
    {
      const sctx = await newContext(DESKTOP);
      const r = await sctx.request.get('/api/v1/reviews/settings');
      if (r.ok()) officeDays = Number((await r.json()).item?.office_rectify_days) || RECTIFY_DAYS;
      await sctx.close();
    }
    await ensureCalendar(newContext, step, officeDays);
    const ctx = await newContext(DESKTOP);
    const page = await ctx.newPage();
    let where = 'login (clerk)';
    watchConsole(page, () => where);
    const comment = '等候时间较长，窗口对需要补充的材料解释不清楚。';
    const demand = '希望一次性告知需要补充的材料，并增加高峰时段的窗口。';
    let ticket = '';
    let rateHref = '';
    let before = [];
    let ratedOn = new Set();
    try {
      await step('clerk.spj signs in, notes the rectification tickets and opens 窗口评价', async () => {
        await signIn(page, CLERK);
        await page.goto('/rectifications');
        where = 'rectifications (clerk, before)';
        eq(await text(page.locator('h1')), '差评整改', 'heading of /rectifications');
        before = await page.locator('#tickets tbody tr td:first-child a').allInnerTexts();
        await Promise.all([page.waitForURL(/\/window$/), page.locator('header nav a', { hasText: '窗口评价' }).click()]);
        where = 'window (clerk)';
        eq(await text(page.locator('h1')), '窗口服务评价（一次一评）', 'heading of /window');
        eq(await page.locator('#served').count(), 0, 'no code shown before a visit is recorded');
        await inspect(page, 'window (desktop)');
        return `${before.length} rectification ticket(s) before`;
      });

      await step(`record a visit for ${ITEM} (#serve) → ticket number, QR code and the link to the rating page`, async () => {
        await page.locator('#item_code').fill(ITEM);
        await post(page, page.locator('#serve'));
        check(/\/window\?served=/.test(page.url()), `back on the window page with the visit: ${page.url()}`);
        ticket = await text(page.locator('#served-ticket'));
        check(/^[A-Z]\d{3,}$/.test(ticket), `ticket number: ${JSON.stringify(ticket)}`);
        const svg = page.locator('#served .qr-code svg');
        eq(await svg.count(), 1, 'inline SVG QR code');
        const box = await svg.boundingBox();
        check(box && box.width >= 150 && box.height >= 150, `QR code large enough to scan from the counter: ${JSON.stringify(box)}`);
        rateHref = await page.locator('#rate-link').getAttribute('href');
        check(/^\/rate\/[A-Za-z0-9_-]{16,}$/.test(rateHref), `rate link: ${rateHref}`);
        const row = page.locator(`#visits tbody tr`, { hasText: ticket }).first();
        const rowText = await text(row);
        check(rowText.includes(ITEM), `the visit is listed under 今日服务 with its item: ${rowText.replace(/\s+/g, ' ')}`);
        check(!(await text(row.locator('td').last())).includes('是'), 'the new visit is not rated yet');
        await inspect(page, 'window with the code (desktop)');
        await shot(page, 'j6-window-code.png');
        return `ticket ${ticket}`;
      });

      // The window's tablet: a fresh browser context, nobody signed in, touch input.
      const pctx = await newContext(TABLET, { hasTouch: true, isMobile: true });
      const pad = await pctx.newPage();
      let pwhere = 'rating pad (tablet)';
      watchConsole(pad, () => pwhere);
      try {
        await step('a fresh tablet (768×1024, touch) opens the link without signing in: the form names the visit', async () => {
          const resp = await pad.goto(rateHref);
          eq(resp.status(), 200, 'status of the rating page');
          eq(await pad.locator('header .who .user').count(), 0, 'nobody is signed in on the pad');
          eq(await text(pad.locator('h1')), '服务评价', 'heading');
          const subject = await text(pad.locator('#rate-subject'));
          check(subject.includes(ticket) && subject.includes('行政审批局'), `the form names the ticket and the unit: ${JSON.stringify(subject)}`);
          const legends = await pad.locator('#rate-form fieldset.levels legend').allInnerTexts();
          for (const g of ['总体评价', '办事效率', '服务水平', '服务态度']) {
            check(legends.some((l) => l.includes(g)), `indicator group ${g}: ${JSON.stringify(legends)}`);
          }
          // Large tappable choices: five levels, each at least 44px each way, in one row on the tablet.
          const levels = await pad.locator('#levels-overall label.level').evaluateAll((els) => els.map((e) => {
            const r = e.getBoundingClientRect();
            return { w: Math.round(r.width), h: Math.round(r.height), top: Math.round(r.top), text: e.innerText.trim() };
          }));
          eq(levels.map((l) => l.text).join('|'), '非常满意|满意|基本满意|不满意|非常不满意', 'the five levels in order');
          check(levels.every((l) => l.w >= 44 && l.h >= 44), `tap targets of at least 44px: ${JSON.stringify(levels)}`);
          eq(new Set(levels.map((l) => l.top)).size, 1, 'the five levels sit in one row on the tablet');
          const facts = await inspect(pad, 'rating pad (tablet 768)');
          check(facts.scrollWidth <= facts.innerWidth + 1, `no sideways scrolling: ${facts.scrollWidth}px in ${facts.innerWidth}px; widest: ${facts.wide.join(', ')}`);
          await shot(pad, 'j6-pad-tablet.png');
          return `${legends.length} indicator groups; level tiles ${levels[0].w}×${levels[0].h}px`;
        });

        await step('the pad in English: indicators and levels translated, no ‹?›', async () => {
          await pad.locator('a.lang').click();
          await pad.waitForFunction(() => document.documentElement.lang === 'en');
          await pad.waitForLoadState('load');
          pwhere = 'rating pad (English, tablet)';
          const labels = await pad.locator('#rate-form legend, #rate-form label, #rate-submit').allInnerTexts();
          const cjk = labels.filter((l) => CJK.test(l));
          check(cjk.length === 0, `labels in English: ${cjk.join(' | ')}`);
          check(labels.some((l) => l.includes('Dissatisfied')), `levels in English: ${labels.slice(0, 6).join(' | ')}`);
          const facts = await inspect(pad, 'rating pad (English, tablet 768)');
          eq(facts.missing, 0, 'missing-message markers');
          check(facts.scrollWidth <= facts.innerWidth + 1, `no sideways scrolling in English: ${facts.scrollWidth}px`);
          await shot(pad, 'j6-pad-en-tablet.png');
          await pad.locator('a.lang').click();
          await pad.waitForFunction(() => document.documentElement.lang === 'zh-CN');
          await pad.waitForLoadState('load');
          pwhere = 'rating pad (tablet)';
        });

        await step('tap 不满意 overall and the other indicators, write a comment and a demand, submit → 感谢您的评价！', async () => {
          await pad.locator('#levels-overall label.level-dissatisfied').tap();
          await pad.locator('#levels-efficiency label.level-basic').tap();
          await pad.locator('#levels-service_level label.level-dissatisfied').tap();
          await pad.locator('#levels-attitude label.level-satisfied').tap();
          check(await pad.locator('input[name=score_overall][value=dissatisfied]').isChecked(), 'tapping the tile chooses 不满意');
          check(await pad.locator('input[name=score_attitude][value=satisfied]').isChecked(), 'tapping the tile chooses 满意 for 服务态度');
          const [chosen, other] = await Promise.all(['dissatisfied', 'satisfied'].map((l) =>
            pad.locator(`#levels-overall label.level-${l}`).evaluate((e) => getComputedStyle(e).backgroundColor)));
          check(chosen !== other, `the chosen level stands out: ${chosen} vs ${other}`);
          await pad.locator('#comment').fill(comment);
          await pad.locator('#demand').fill(demand);
          await shot(pad, 'j6-pad-filled-tablet.png');
          const days = new Set([districtToday()]);
          await post(pad, pad.locator('#rate-submit'));
          days.add(districtToday());
          ratedOn = days;
          const errors = await pad.locator('#rate-errors').count();
          check(!errors, `no errors: ${errors ? await text(pad.locator('#rate-errors')) : ''}`);
          check((await text(pad.locator('#rate-done'))).includes('感谢您的评价！'), 'the thanks message');
          eq(await pad.locator('#rate-form').count(), 0, 'no form after rating');
          const facts = await inspect(pad, 'rating pad thanks (tablet 768)');
          check(facts.scrollWidth <= facts.innerWidth + 1, `no sideways scrolling: ${facts.scrollWidth}px`);
          return shot(pad, 'j6-pad-thanks-tablet.png');
        });

        await step('the same code again: already rated, no second form (一次一评)', async () => {
          await pad.goto(rateHref);
          check((await text(pad.locator('#rate-done'))).includes('感谢您的评价！'), 'the page says it is rated');
          eq(await pad.locator('#rate-form').count(), 0, 'no second form');
        });
      } finally {
        await pctx.close();
      }

      await step('back at the window: the visit shows 已评价', async () => {
        await page.goto('/window');
        where = 'window (clerk, after the rating)';
        const row = page.locator(`#visits tbody tr`, { hasText: ticket }).first();
        eq(await text(row.locator('td').last()), '是', `visit ${ticket} rated`);
      });

      await step(`差评整改 lists one new ticket for the visit: 不满意, 待整改, due in the office's ${officeDays} working days`, async () => {
        await Promise.all([page.waitForURL(/\/rectifications$/), page.locator('header nav a', { hasText: '差评整改' }).click()]);
        where = 'rectifications (clerk, after)';
        const ids = await page.locator('#tickets tbody tr td:first-child a').allInnerTexts();
        const fresh = ids.filter((i) => !before.includes(i));
        eq(fresh.length, 1, `new tickets (${fresh.join(', ')})`);
        const id = fresh[0];
        const row = page.locator('#tickets tbody tr', { has: page.locator('td:first-child a', { hasText: id }) });
        const rowText = (await text(row)).replace(/\s+/g, ' ');
        check(rowText.includes('不满意') && !rowText.includes('非常不满意'), `row shows the level 不满意: ${rowText}`);
        check(rowText.includes('待整改'), `row shows 待整改: ${rowText}`);
        check(rowText.includes(ticket), `row names the window ticket ${ticket}: ${rowText}`);
        check(!rowText.includes('1个工作日'), `anonymous: not on the 1-working-day rule: ${rowText}`);
        const due = (await text(row.locator('td.due-date'))).trim();
        const want = new Set();
        for (const d of ratedOn) {
          const r = await calendarAdd(page.request, d, officeDays);
          if (r.due) want.add(r.due);
        }
        check(want.has(due), `due ${due} is ${officeDays} working days after the rating (${[...want].join(' or ')})`);
        await inspect(page, 'rectifications (desktop)');
        await shot(page, 'j6-rectifications.png');
        await Promise.all([page.waitForURL(new RegExp(`/rectifications/${id}$`)), row.locator('td:first-child a').click()]);
        where = `rectification ${id} (clerk)`;
        eq(await text(page.locator('#ticket-state')), '待整改', 'ticket state');
        eq(await text(page.locator('#rating-ticket')), ticket, 'the window ticket number');
        eq(await text(page.locator('#rating-demand')), demand, 'the demand');
        eq(await text(page.locator('#rating-comment')), comment, 'the comment');
        eq(await text(page.locator('#rater')), '匿名', 'the rater is anonymous');
        const scores = await text(page.locator('#rating-scores'));
        check(scores.includes('服务水平：不满意') && scores.includes('服务态度：满意'), `scores by indicator: ${scores}`);
        eq(await page.locator('#act-rectify').count(), 1, 'the clerk may report the rectification');
        await inspect(page, 'rectification (desktop)');
        await shot(page, 'j6-rectification.png');
        return `${id}, due ${due}`;
      });
    } finally {
      await ctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  // 12345 hotline (R6): the operator takes a call on the phone line (来电登记), the routing catalog
  // suggests the unit, the operator dispatches; the unit's clerk sees the ticket without the
  // confidential caller.
  await journey('hotline: a confidential call about a street light, dispatched to 城建 as suggested; the unit sees （保密）', async (step) => {
    await ensureCalendar(newContext, step, HELP_REPLY_DAYS);
    const ctx = await newContext(DESKTOP);
    const page = await ctx.newPage();
    let where = 'login (operator)';
    watchConsole(page, () => where);
    const caller = { name: '刘建华', phone: '13907912345' };
    const matter = '孺子路与中山路交叉口东侧的路灯已连续三晚不亮，夜间行人通行不便，请尽快维修。';
    const address = '南昌市西湖区孺子路88号附近';
    let id = '';
    try {
      await step('the operator signs in and opens 12345热线 → 来电登记', async () => {
        await signIn(page, OPERATOR);
        await Promise.all([page.waitForURL(/\/hotline$/), page.locator('header nav a', { hasText: '12345热线' }).click()]);
        where = 'hotline board (operator)';
        eq(await text(page.locator('h1')), '12345工单', 'board heading');
        await Promise.all([page.waitForURL(/\/hotline\/new$/), page.locator('#new-ticket').click()]);
        where = 'intake (operator)';
        eq(await text(page.locator('h1')), '来电登记', 'intake heading');
        eq(await page.locator('input[name=business_environment]').count(), 1, 'the operator may tag the business environment');
        await inspect(page, 'intake (desktop)');
      });

      await step('take the call: 求助, the street light, 西湖街道, the caller, 要求保密 → the ticket, 待派单', async () => {
        await page.locator('#category').selectOption({ label: '求助' });
        await page.locator('#matter').fill(matter);
        await page.locator('#address').fill(address);
        await page.locator('#street').selectOption({ label: '西湖街道办事处' });
        await page.locator('#caller_name').fill(caller.name);
        await page.locator('#caller_phone').fill(caller.phone);
        await page.locator('input[name=confidential]').check();
        await shot(page, 'j7-intake.png');
        await post(page, page.locator('#hotline-submit'));
        const m = new URL(page.url()).pathname.match(/^\/hotline\/tickets\/(H\d{4}-\d{6})$/);
        check(m, `landed on the ticket: ${page.url()} ${await page.locator('#hotline-errors').count() ? await text(page.locator('#hotline-errors')) : ''}`);
        id = m[1];
        where = `ticket ${id} (operator)`;
        eq(await text(page.locator('#hotline-state')), '待派单', 'state of the new ticket');
        eq(await text(page.locator('#hotline-matter')), matter, 'the matter');
        const seen = await text(page.locator('#hotline-caller'));
        check(seen.includes(caller.name) && seen.includes(caller.phone), `the office sees the caller: ${JSON.stringify(seen)}`);
        check(seen.includes('要求保密'), `the caller is marked confidential: ${JSON.stringify(seen)}`);
        return id;
      });

      await step('派单目录建议 names 城建 (XH-CJJ), preselected as the lead unit', async () => {
        const sugg = await text(page.locator('#suggestions'));
        check(sugg.includes('城建') || sugg.includes('城市建设'), `suggestion names 城建: ${JSON.stringify(sugg)}`);
        check(sugg.includes(CJJ.code), `suggestion names ${CJJ.code}: ${JSON.stringify(sugg)}`);
        eq(await page.locator('#lead').inputValue(), CJJ.code, 'lead unit preselected');
        check((await text(page.locator('#lead option:checked'))).includes(CJJ.name), 'the preselected option names the unit');
        await inspect(page, 'ticket received (desktop)');
        await shot(page, 'j7-ticket-suggestions.png');
        return sugg.replace(/\s+/g, ' ');
      });

      await step(`dispatch (派单) to ${CJJ.name} → 办理中, reply due ${HELP_REPLY_DAYS} working days later`, async () => {
        const days = new Set([districtToday()]);
        await post(page, page.locator('#act-dispatch'));
        days.add(districtToday());
        const errors = await page.locator('#hotline-errors').count();
        check(!errors, `no errors: ${errors ? await text(page.locator('#hotline-errors')) : ''}`);
        eq(await text(page.locator('#hotline-state')), '办理中', 'state after dispatch');
        check((await text(page.locator('#hotline-lead'))).includes(CJJ.name), 'lead unit on the ticket');
        const due = await text(page.locator('#hotline-due'));
        const want = new Set();
        for (const d of days) {
          const r = await calendarAdd(page.request, d, HELP_REPLY_DAYS);
          if (r.due) want.add(r.due);
        }
        check(want.has(due), `reply due ${due} is ${HELP_REPLY_DAYS} working days after the dispatch (${[...want].join(' or ')})`);
        eq(await page.locator('#act-dispatch').count(), 0, 'no second dispatch');
        eq(await page.locator('#suggestions').count(), 0, 'no suggestions once dispatched');
        const history = await page.locator('#hotline-history li').allInnerTexts();
        check(history.some((h) => h.includes('派单') && h.includes(CJJ.name)), `history has the dispatch: ${history.join(' | ')}`);
        await inspect(page, 'ticket dispatched (desktop)');
        await shot(page, 'j7-ticket-dispatched.png');
        return `reply due ${due}`;
      });
    } finally {
      await ctx.close();
    }

    const uctx = await newContext(DESKTOP);
    const unit = await uctx.newPage();
    let uwhere = 'login (clerk.cjj)';
    watchConsole(unit, () => uwhere);
    try {
      await step('clerk.cjj finds the ticket on 12345热线, 办理中', async () => {
        await signIn(unit, CJJ.clerk);
        await Promise.all([unit.waitForURL(/\/hotline$/), unit.locator('header nav a', { hasText: '12345热线' }).click()]);
        uwhere = 'hotline board (clerk.cjj)';
        const row = unit.locator('#hotline-tickets tbody tr', { has: unit.locator('a', { hasText: id }) });
        eq(await row.count(), 1, `ticket ${id} on the unit's board`);
        const rowText = (await text(row)).replace(/\s+/g, ' ');
        check(rowText.includes('办理中') && rowText.includes('路灯'), `board row: ${rowText}`);
        await inspect(unit, 'hotline board (clerk.cjj, desktop)');
        await shot(unit, 'j7-unit-board.png');
        await Promise.all([unit.waitForURL(new RegExp(`/hotline/tickets/${id}$`)), row.locator('a', { hasText: id }).click()]);
        uwhere = `ticket ${id} (clerk.cjj)`;
        return rowText;
      });

      await step('the unit sees the matter and the caller as （保密）, never the name or the number; it may reply or return', async () => {
        eq(await text(unit.locator('#hotline-matter')), matter, 'the matter');
        eq(await text(unit.locator('#hotline-caller')), '（保密）', 'the caller as the unit sees it');
        const body = await text(unit.locator('body'));
        check(!body.includes(caller.name) && !body.includes(caller.phone), 'the caller\'s name and number are nowhere on the page');
        eq(await unit.locator('#act-reply').count(), 1, 'the unit may reply');
        eq(await unit.locator('#act-return').count(), 1, 'the unit may return the ticket');
        eq(await unit.locator('#act-dispatch').count(), 0, 'the unit cannot dispatch');
        await inspect(unit, 'ticket (clerk.cjj, desktop)');
        await shot(unit, 'j7-unit-ticket.png');
      });

      await step('the ticket in English for the unit: translated, the caller still hidden, no ‹?›', async () => {
        await unit.locator('a.lang').click();
        await unit.waitForFunction(() => document.documentElement.lang === 'en');
        await unit.waitForLoadState('load');
        uwhere = `ticket ${id} (clerk.cjj, English)`;
        eq(await text(unit.locator('#hotline-state')), 'Being handled', 'state in English');
        eq(await text(unit.locator('#hotline-caller')), '(confidential)', 'the hidden caller in English');
        const labels = await unit.locator('dl.guide dt, #hotline-actions h3, #hotline-actions label, h2').allInnerTexts();
        const cjk = labels.filter((l) => CJK.test(l));
        check(cjk.length === 0, `labels in English: ${cjk.join(' | ')}`);
        const facts = await inspect(unit, 'ticket (clerk.cjj, English, desktop)');
        eq(facts.missing, 0, 'missing-message markers');
        check(!facts.text.includes(caller.name) && !facts.text.includes(caller.phone), 'no caller in English either');
        await shot(unit, 'j7-unit-ticket-en.png');
        await unit.locator('a.lang').click();
        await unit.waitForFunction(() => document.documentElement.lang === 'zh-CN');
      });
    } finally {
      await uctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  // 惠企政策兑现 (R4, R12): the enterprise sees on its phone which policies it qualifies for and
  // why, declares (the R&D subsidy, or the next policy still open to it) with its material; the
  // departments sign in parallel on their review page, the finance bureau records the payment;
  // the public list of beneficiaries shows the enterprise.
  await journey('policies: the enterprise matches and declares on a phone; the departments sign, finance pays; published', async (step) => {
    const ctx = await newContext(MOBILE);
    const page = await ctx.newPage();
    let where = 'login (company, policies)';
    watchConsole(page, () => where);
    let amount = '';
    let id = '';
    let policy = null;
    try {
      await step('the enterprise signs in on a phone and opens 政策匹配: eligible policies with amounts', async () => {
        await signIn(page, APPLICANT);
        await Promise.all([page.waitForURL(/\/my\/policies$/), page.locator('header nav a', { hasText: '政策匹配' }).click()]);
        where = 'my policies (mobile)';
        eq(await text(page.locator('h1')), '政策匹配', 'heading');
        const eligible = page.locator('#matches li.outcome-pass');
        check((await eligible.count()) >= 1, 'at least one eligible policy');
        const first = eligible.first();
        eq(await text(first.locator('.match-outcome')), '符合', 'outcome of an eligible policy');
        check(MONEY.test(await text(first.locator('strong.amount'))), `an eligible policy shows its amount: ${await text(first.locator('strong.amount'))}`);
        for (const p of POLICIES) {
          if (await page.locator(`#match-${p.code} a.button`, { hasText: '去申报' }).count()) {
            policy = p;
            break;
          }
        }
        check(policy, `one of ${POLICIES.map((p) => p.code).join(', ')} may be declared`);
        const li = page.locator(`#match-${policy.code}`);
        eq(await text(li.locator('.match-outcome')), '符合', `${policy.name} is eligible`);
        amount = await text(li.locator('strong.amount'));
        check(MONEY.test(amount), `amount of ${policy.name}: ${amount}`);
        return `${await eligible.count()} eligible; declaring ${policy.code}, ${amount}`;
      });

      await step('open the trace: the rules 满足, the facts read with their values, the amount', async () => {
        const li = page.locator(`#match-${policy.code}`);
        await li.locator('details.trace-details > summary').click();
        const rows = li.locator('table.trace-table tbody tr');
        check((await rows.count()) >= 3, `trace rows: ${await rows.count()}`);
        const results = await li.locator('table.trace-table td.result').allInnerTexts();
        check(results.filter((r) => r.includes('满足')).length >= 2, `rules met: ${results.join(' | ')}`);
        check(results.some((r) => r.includes(amount)), `the amount step gives ${amount}: ${results.join(' | ')}`);
        const facts = await text(li.locator('table.trace-table ul.facts').first());
        check(facts.includes('='), `facts read with values: ${facts}`);
        const fails = page.locator('#matches li.outcome-fail');
        if (await fails.count()) {
          const why = await text(fails.first().locator('.why'));
          check(why.startsWith('原因'), `a policy not met says why: ${why}`);
        }
        const info = await inspect(page, 'my policies with a trace (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px; widest: ${info.wide.join(', ')}`);
        return shot(page, 'j8-my-policies-mobile.png');
      });

      await step('去申报 → the policy page: summary, flowchart, my result, the declaration form', async () => {
        await Promise.all([page.waitForURL(new RegExp(`/policies/${policy.code}`)), page.locator(`#match-${policy.code} a.button`, { hasText: '去申报' }).click()]);
        where = `policy ${policy.code} (mobile)`;
        eq(await text(page.locator('h1')), policy.name, 'heading');
        check((await text(page.locator('#summary'))).includes('一句话看懂'), 'the plain-language summary');
        check((await page.locator('#flow ol.policy-flow li').count()) >= 3, 'the flowchart has its steps');
        eq(await text(page.locator('#departments')), policy.departments.map((u) => UNITS[u].name).join('、'), 'the departments');
        eq(await text(page.locator('#my-outcome')), '符合', 'my result');
        eq(await text(page.locator('#my-amount')), amount, 'my amount');
        check((await page.locator('#declare input[type=file]').count()) >= 1, 'a file input per material');
        const info = await inspect(page, `policy ${policy.code} (mobile 390)`);
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px; widest: ${info.wide.join(', ')}`);
        return shot(page, 'j8-policy-mobile.png');
      });

      await step('declare with a PDF per material → the declaration, 联审中, every department waiting', async () => {
        const inputs = page.locator('#declare input[type=file]');
        for (let i = 0; i < await inputs.count(); i += 1) {
          await inputs.nth(i).setInputFiles(pdf(`申报材料${i + 1}.pdf`));
        }
        await post(page, page.locator('#declare-submit'));
        const m = new URL(page.url()).pathname.match(/^\/declarations\/(ZC\d{4}-\d{6})$/);
        const errors = await page.locator('#policy-errors').count() ? await text(page.locator('#policy-errors')) : '';
        check(m, `landed on the declaration: ${page.url()} ${errors}`);
        id = m[1];
        where = `declaration ${id} (company, mobile)`;
        eq(await text(page.locator('#decl-state')), '联审中', 'state');
        eq(await text(page.locator('#decl-amount')), amount, 'amount');
        check((await text(page.locator('#decl-materials'))).includes('申报材料1.pdf'), 'the material is listed');
        check((await page.locator('#decl-trace table.trace-table tbody tr').count()) >= 3, 'the trace is shown');
        const signs = await page.locator('#signoffs li').allInnerTexts();
        eq(signs.length, policy.departments.length, `departments: ${signs.join(' | ')}`);
        check(signs.every((s) => s.includes('待审核')), `all waiting: ${signs.join(' | ')}`);
        eq(await page.locator('#form-sign-off').count(), 0, 'the enterprise cannot sign');
        const info = await inspect(page, 'declaration (company, mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px; widest: ${info.wide.join(', ')}`);
        await shot(page, 'j8-declaration-mobile.png');
        return `${policy.code} ${id}`;
      });
    } finally {
      await ctx.close();
    }

    // Each department on its own review page (desktop); the last agreement approves.
    for (const [n, code] of policy.departments.entries()) {
      const dept = UNITS[code];
      const last = n === policy.departments.length - 1;
      const dctx = await newContext(DESKTOP);
      const dpage = await dctx.newPage();
      let dwhere = `login (${dept.user.username})`;
      watchConsole(dpage, () => dwhere);
      try {
        await step(`${dept.user.username} finds ${id} on 政策审核, reads the material and agrees`, async () => {
          await signIn(dpage, dept.user);
          await Promise.all([dpage.waitForURL(/\/policies\/review$/), dpage.locator('header nav a', { hasText: '政策审核' }).click()]);
          dwhere = `policy review (${dept.user.username})`;
          const row = dpage.locator(`#pending-${id}`);
          eq(await row.count(), 1, `${id} waits for ${dept.name}`);
          check((await text(row)).includes(amount), 'the row shows the amount');
          await inspect(dpage, `policy review (${dept.user.username}, desktop)`);
          await shot(dpage, `j8-review-${code}.png`);
          await Promise.all([dpage.waitForURL(new RegExp(`/declarations/${id}$`)), row.locator('a', { hasText: id }).click()]);
          dwhere = `declaration ${id} (${dept.user.username})`;
          const href = await dpage.locator('#decl-materials a').first().getAttribute('href');
          const file = await dpage.request.get(href);
          eq(file.status(), 200, 'the material opens');
          eq(file.headers()['content-type'], 'application/pdf', 'as a PDF');
          await dpage.locator('#opinion').fill(dept.opinion);
          await post(dpage, dpage.locator('#sign-approve'));
          const errors = await dpage.locator('#decl-errors').count() ? await text(dpage.locator('#decl-errors')) : '';
          check(!errors, `no errors: ${errors}`);
          const mine = dpage.locator('#signoffs li', { hasText: dept.name });
          check((await text(mine)).includes('同意') && (await text(mine)).includes(dept.opinion), `${dept.name} agreed: ${await text(mine)}`);
          const state = await text(dpage.locator('#decl-state'));
          eq(state, last ? '审核通过，待拨付' : '联审中', 'state after this agreement');
          await inspect(dpage, `declaration signed (${dept.user.username}, desktop)`);
          await shot(dpage, `j8-signed-${code}.png`);
          return state;
        });
      } finally {
        await dctx.close();
      }
    }

    const fctx = await newContext(DESKTOP);
    const fpage = await fctx.newPage();
    let fwhere = 'login (payer)';
    watchConsole(fpage, () => fwhere);
    try {
      await step(`${PAYER_USER.username} records the payment from 审核通过待拨付 → 已拨付, days to money`, async () => {
        // Not the reviewer who signed: the finance bureau's treasury records the money.
        await signIn(fpage, PAYER_USER);
        await fpage.goto('/policies/review');
        fwhere = 'policy review (payer)';
        const row = fpage.locator(`#to-pay-${id}`);
        eq(await row.count(), 1, `${id} waits for the payment`);
        await Promise.all([fpage.waitForURL(new RegExp(`/declarations/${id}$`)), row.locator('a', { hasText: id }).click()]);
        fwhere = `declaration ${id} (payer)`;
        const paidOn = await fpage.locator('#paid_on').inputValue();
        check(DATE.test(paidOn), `the payment date defaults to today: ${paidOn}`);
        await fpage.locator('#voucher').fill('XHCZ-2026-BZ-0815');
        await post(fpage, fpage.locator('#payout-submit'));
        const errors = await fpage.locator('#decl-errors').count() ? await text(fpage.locator('#decl-errors')) : '';
        check(!errors, `no errors: ${errors}`);
        eq(await text(fpage.locator('#decl-state')), '已拨付', 'state after the payment');
        const days = await text(fpage.locator('#days-to-money'));
        check(/^申报至拨付用时 \d+ 天$/.test(days), `days to money: ${days}`);
        await inspect(fpage, 'declaration paid (desktop)');
        await shot(fpage, 'j8-paid.png');
        return days;
      });
    } finally {
      await fctx.close();
    }

    const pctx = await newContext(MOBILE);
    const pub = await pctx.newPage();
    let pwhere = 'beneficiaries (public, mobile)';
    watchConsole(pub, () => pwhere);
    try {
      await step('the public list of beneficiaries shows the enterprise, paid', async () => {
        await pub.goto(`/policies/${policy.code}`);
        pwhere = `policy ${policy.code} (public, mobile)`;
        eq(await pub.locator('#my-match').count(), 0, 'no personal result for the public');
        await Promise.all([pub.waitForURL(new RegExp(`/policies/${policy.code}/beneficiaries$`)), pub.locator('#to-beneficiaries').click()]);
        pwhere = 'beneficiaries (public, mobile)';
        const row = pub.locator('#beneficiaries tbody tr', { hasText: TAKEN_NAME });
        eq(await row.count(), 1, 'the enterprise is listed');
        const rowText = (await text(row)).replace(/\s+/g, ' ');
        check(rowText.includes(amount) && rowText.includes('已拨付') && rowText.includes('申报兑现'), `row: ${rowText}`);
        const info = await inspect(pub, 'beneficiaries (public, mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px; widest: ${info.wide.join(', ')}`);
        await shot(pub, 'j8-beneficiaries-mobile.png');
        return rowText;
      });
    } finally {
      await pctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  // 无人干预自动审批 (秒批, R4): an item decided by a rule set. The enterprise answers the rule
  // set's questions on the apply form, uploads the materials and submits; the rules accept,
  // approve and issue in the same moment, and the case shows the decision with its trace.
  await journey('automatic approval: 食品经营许可延续 answered, uploaded, submitted on a phone → issued by the rules, with the trace', async (step) => {
    const ctx = await newContext(MOBILE);
    const page = await ctx.newPage();
    let where = 'login (company, auto)';
    watchConsole(page, () => where);
    const validUntil = districtDatePlus(60);
    try {
      await step(`open ${AUTO_ITEM.name}: the 秒批 banner and the rule set's questions`, async () => {
        await signIn(page, APPLICANT);
        await page.goto(`/items/${AUTO_ITEM.code}`);
        where = 'guide (auto item, mobile)';
        await Promise.all([page.waitForURL(new RegExp(`/items/${AUTO_ITEM.code}/apply$`)), page.locator('a#apply').click()]);
        where = 'apply (auto item, mobile)';
        check((await text(page.locator('#auto-item'))).includes('无人干预自动审批'), 'the automatic approval banner');
        eq(await page.locator('#field-valid_until').getAttribute('type'), 'date', 'a date question is a date input');
        eq(await page.locator('#field-conditions_unchanged').getAttribute('type'), 'checkbox', 'a yes/no question is a checkbox');
        eq(await page.locator('#field-penalties').getAttribute('type'), 'number', 'a count is a number input');
        check((await text(page.locator('#rule-questions'))).includes('原许可证有效期至'), 'questions carry the rule set\'s labels');
        const info = await inspect(page, 'apply with questions (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px; widest: ${info.wide.join(', ')}`);
        return shot(page, 'j9-apply-questions-mobile.png');
      });

      let caseId = '';
      await step(`answer (valid until ${validUntil}, conditions unchanged, 0 penalties) → a draft keeping the answers`, async () => {
        await page.locator('#contact_phone').fill('13907910002');
        await page.locator('#details').fill('食品经营许可证即将到期，申请延续，经营条件未变化。');
        await page.locator('#field-licence_no').fill('JY13601030012345');
        await page.locator('#field-valid_until').fill(validUntil);
        await page.locator('#field-conditions_unchanged').check();
        await page.locator('#field-penalties').fill('0');
        await post(page, page.locator('#create-draft'));
        const m = new URL(page.url()).pathname.match(/^\/cases\/(\d{4}-\d{6})$/);
        const errors = await page.locator('#apply-errors').count() ? await text(page.locator('#apply-errors')) : '';
        check(m, `landed on the new case: ${page.url()} ${errors}`);
        caseId = m[1];
        where = `case ${caseId} (auto, mobile)`;
        eq(await text(page.locator('#case-state')), '草稿', 'state');
        eq(await page.locator('#field-valid_until').inputValue(), validUntil, 'the date answer is kept');
        check(await page.locator('#field-conditions_unchanged').isChecked(), 'the box stays ticked');
        eq(await page.locator('#field-penalties').inputValue(), '0', 'the count is kept');
        return caseId;
      });

      await step('upload a PDF for each material and submit → issued at once by the rules', async () => {
        const forms = page.locator('form.upload');
        const n = await forms.count();
        check(n >= 1, `upload forms: ${n}`);
        for (let i = 0; i < n; i += 1) {
          const form = page.locator('form.upload').nth(i);
          await form.locator('input[type=file]').setInputFiles(pdf(`延续材料${i + 1}.pdf`));
          await post(page, form.locator('button'));
          await noCaseErrors(page, `upload ${i + 1}`);
        }
        eq(await page.locator('#materials .error').count(), 0, 'no material missing');
        await post(page, page.locator('#act-submit'));
        await noCaseErrors(page, 'submit');
        eq(await text(page.locator('#case-state')), '已办结', 'state right after submitting');
        const decided = await text(page.locator('#rules-auto'));
        check(decided.includes(AUTO_ITEM.ruleSet) && decided.includes('自动准予'), `the decision names the rule set: ${decided}`);
        return decided;
      });

      await step('the case shows the trace (every rule 满足), the answers and the rules in the history', async () => {
        const results = await page.locator('#rule-decision table.trace-table td.result').allInnerTexts();
        check(results.length >= 5, `trace rows: ${results.length}`);
        check(results.every((r) => r.includes('满足') && !r.includes('不满足')), `every rule met: ${results.join(' | ')}`);
        eq(await text(page.locator('#rule-decision .badge.outcome-pass')), '通过', 'outcome badge');
        const facts = await text(page.locator('#rule-decision table.trace-table'));
        check(facts.includes(validUntil), `the trace shows the date read: ${validUntil}`);
        const answers = await page.locator('dl.guide dd.answer').allInnerTexts();
        check(answers.includes(validUntil) && answers.includes('是'), `answers listed: ${answers.join(' | ')}`);
        const history = await page.locator('#history li').allInnerTexts();
        check(history.some((h) => h.includes('rules:') && h.includes('准予许可')), `history has the rules' approval: ${history.join(' | ')}`);
        check((await page.locator('#notices li').count()) >= 1, 'the notices are issued');
        const info = await inspect(page, 'case issued by the rules (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px; widest: ${info.wide.join(', ')}`);
        await shot(page, 'j9-case-auto-mobile.png');
        await page.setViewportSize(DESKTOP);
        await inspect(page, 'case issued by the rules (desktop)');
        return shot(page, 'j9-case-auto-desktop.png');
      });
    } finally {
      await ctx.close();
    }
  });


  // -------------------------------------------------------------------------------------------
  await journey('credit: the public finds a dishonest enterprise on a phone and reads its clock', async (step) => {
    const ctx = await newContext(MOBILE);
    const page = await ctx.newPage();
    let where = 'home (mobile)';
    watchConsole(page, () => where);
    try {
      await step('from the home page to 信用西湖', async () => {
        await page.goto('/');
        await Promise.all([page.waitForURL(/\/credit$/), page.locator('a[href="/credit"]').first().click()]);
        where = 'credit search (mobile)';
        eq(await text(page.locator('h1')), '信用西湖', 'heading');
      });
      await step('one character is too short, and says so', async () => {
        await page.fill('#q', '恒');
        // The browser's own minlength check would stop the form; the server's is what is tested.
        await page.goto('/credit?q=' + encodeURIComponent('恒'));
        check((await page.locator('#credit-errors').count()) === 1, 'an error is shown');
      });
      await step('search 恒通: the serious-dishonesty record, published', async () => {
        await page.fill('#q', '恒通');
        await Promise.all([page.waitForURL(/q=/), page.locator('form.search button').click()]);
        const row = page.locator('#credit-results tbody tr').first();
        const cells = await text(row);
        check(cells.includes('南昌市西湖区恒通商贸有限公司'), `the enterprise: ${cells}`);
        check(cells.includes('严重失信主体名单') && cells.includes('公示中'), `kind and standing: ${cells}`);
        const info = await inspect(page, 'credit results (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        await shot(page, 'j10-credit-search-mobile.png');
      });
      await step('its record: the unit, the basis, until when, and when repair becomes possible', async () => {
        await Promise.all([page.waitForURL(/\/credit\/records\//), page.locator('#credit-results a').first().click()]);
        where = 'credit record (mobile)';
        eq(await text(page.locator('#credit-standing')), '公示中', 'standing');
        const dl = await text(page.locator('#credit-record'));
        check(dl.includes('西湖区市场监督管理局'), `deciding unit named: ${dl}`);
        check(/\d{4}-\d{2}-\d{2} — \d{4}-\d{2}-\d{2}/.test(await text(page.locator('#credit-window'))), 'publication window');
        check((await page.locator('#credit-repair-from').count()) === 1, 'repair date shown');
        const info = await inspect(page, 'credit record (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        return shot(page, 'j10-credit-record-mobile.png');
      });
    } finally {
      await ctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  await journey('inspection: an inspector enters a result on a phone; the public reruns the draw', async (step) => {
    const ctx = await newContext(MOBILE);
    const page = await ctx.newPage();
    let where = 'sign-in (mobile)';
    watchConsole(page, () => where);
    try {
      await step('the inspector signs in and opens the open check drawn for them', async () => {
        await signIn(page, { username: 'inspector.scj', password: 'inspector-scj-demo-2026' });
        await page.goto('/inspection/mine');
        where = 'my inspections (mobile)';
        const open = page.locator('#check-list li', { hasText: '待检查' }).first();
        check((await open.count()) === 1, 'an open check is listed');
        await Promise.all([page.waitForURL(/\/inspection\/checks\//), open.locator('a').first().click()]);
        where = 'check (mobile)';
        check((await page.locator('#result-form').count()) === 1, 'the result form is there');
        const team = await text(page.locator('#team'));
        check(team.includes('刘建华'), `the team names the inspector: ${team}`);
      });
      await step('a problem without findings is refused, in Chinese, with the choice kept', async () => {
        await page.locator('input[name=outcome][value=corrected]').check();
        await post(page, page.locator('#result-form button'));
        const errs = await text(page.locator('#result-errors'));
        check(errs.includes('检查情况'), `the missing field is named: ${errs}`);
        check(await page.locator('input[name=outcome][value=corrected]').isChecked(), 'the outcome is kept');
      });
      await step('findings and a photo from the camera: published at once', async () => {
        await page.locator('#findings').fill('灭火器2具压力不足，已当场责令更换。');
        await page.locator('#photos').setInputFiles({
          name: 'site.png',
          mimeType: 'image/png',
          buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
        });
        await post(page, page.locator('#result-form button'));
        eq(await text(page.locator('#outcome')), '发现问题，已责令整改', 'outcome published');
        check((await page.locator('#photos a').count()) === 1, 'the photo is kept with the result');
        const info = await inspect(page, 'check result (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        await shot(page, 'j11-inspection-result-mobile.png');
      });
      await step('the public downloads the draw record and the verify page reproduces it', async () => {
        const plan = await page.locator('a', { hasText: '返回抽查计划' }).getAttribute('href');
        const r = await page.request.get(`${plan}/record.json`);
        check(r.ok(), `record downloads: ${r.status()}`);
        const record = await r.text();
        const anon = await newContext(MOBILE);
        const pub = await anon.newPage();
        where = 'verify (mobile)';
        watchConsole(pub, () => where);
        await pub.goto('/inspection/verify');
        await pub.locator('#file').setInputFiles({ name: 'draw.json', mimeType: 'application/json', buffer: Buffer.from(record) });
        await post(pub, pub.locator('#verify-form button'));
        check((await pub.locator('#verdict-ok').count()) === 1, 'reproduced');
        await shot(pub, 'j11-inspection-verify-mobile.png');
        const tampered = record.replace('"seed":"', '"seed":"0');
        await pub.locator('#record').fill(tampered);
        await post(pub, pub.locator('#verify-form button'));
        const bad = await text(pub.locator('#verdict-bad'));
        check(bad.includes('seed'), `the difference is named: ${bad}`);
        await anon.close();
      });
    } finally {
      await ctx.close();
    }
  });

  await journey('licences: the holder shows a licence QR on a phone; a photo of it verifies, then says revoked', async (step) => {
    const ctx = await newContext(MOBILE);
    const page = await ctx.newPage();
    let where = 'sign-in (mobile)';
    watchConsole(page, () => where);
    let qr;
    let identifier;
    try {
      await step('the holder opens 我的证照 and a licence: valid, with its QR code', async () => {
        await signIn(page, APPLICANT);
        await page.goto('/licences/mine');
        where = 'my licences (mobile)';
        const first = page.locator('#my-licences li').first();
        check((await first.count()) === 1, 'a licence is listed');
        await Promise.all([page.waitForURL(/\/licences\/1\.2\.156\./), first.locator('a').first().click()]);
        where = 'licence (mobile)';
        eq(await text(page.locator('#licence-status')), '有效', 'status');
        identifier = await text(page.locator('#identifier'));
        const info = await inspect(page, 'licence (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        await shot(page, 'j12-licence-mobile.png');
        // What a second phone's camera sees: the code as shown on this screen.
        qr = await page.locator('.licence-qr').screenshot();
      });
      const verifyPhoto = async (photo, name) => {
        const anon = await newContext(MOBILE);
        const pub = await anon.newPage();
        where = 'verify (mobile)';
        watchConsole(pub, () => where);
        await pub.goto('/verify');
        await pub.locator('#file').setInputFiles({ name, mimeType: 'image/png', buffer: photo });
        await post(pub, pub.locator('#verify-form button'));
        const status = await text(pub.locator('#verdict-status'));
        const reason = await text(pub.locator('#verdict-reason'));
        const info = await inspect(pub, 'verdict (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        return { anon, pub, status, reason };
      };
      await step('anyone uploads a photo of the code on /verify: 有效, with the licence it states', async () => {
        const v = await verifyPhoto(qr, 'licence.png');
        eq(v.status, '有效', 'verdict');
        check(v.reason.includes('签名'), `the reason says what was checked: ${v.reason}`);
        eq(await text(v.pub.locator('#verdict-identifier')), identifier, 'the identifier read from the code');
        await shot(v.pub, 'j12-verify-valid-mobile.png');
        await v.anon.close();
      });
      await step('a picture without a licence code: 无法识别, with what to do', async () => {
        const blank = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
        const v = await verifyPhoto(blank, 'blank.png');
        eq(v.status, '无法识别', 'verdict');
        check(v.reason.includes('没有找到二维码'), `the reason: ${v.reason}`);
        await v.anon.close();
      });
      await step('the issuing unit revokes it with a reason; the same photo now says 已注销', async () => {
        const staff = await newContext(MOBILE);
        const sp = await staff.newPage();
        where = 'licence (clerk, mobile)';
        watchConsole(sp, () => where);
        await signIn(sp, CLERK);
        await sp.goto(`/licences/${identifier}`);
        check((await sp.locator('#revoke-form').count()) === 1, 'the unit sees the revocation form');
        await sp.locator('#reason').fill('持证单位申请注销');
        await post(sp, sp.locator('#revoke-form button'));
        eq(await text(sp.locator('#licence-status')), '已注销', 'the new version');
        await staff.close();
        const v = await verifyPhoto(qr, 'licence.png');
        eq(v.status, '已注销', 'verdict');
        check(v.reason.includes('注销'), `the reason: ${v.reason}`);
        check((await v.pub.locator('#verdict-latest').count()) === 1, 'the revocation is shown');
        await shot(v.pub, 'j12-verify-revoked-mobile.png');
        await v.anon.close();
      });
    } finally {
      await ctx.close();
    }
  });


  // -------------------------------------------------------------------------------------------
  await journey('dashboard: a supervisor on a phone reads a figure down to its records and issues a notice', async (step) => {
    const ctx = await newContext(MOBILE, { isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    let where = 'dashboard (supervisor, mobile)';
    watchConsole(page, () => where);
    try {
      await signIn(page, { username: 'supervisor', password: 'supervisor-demo-2026' });
      await step('the board: every indicator with last year and the target, no sideways scrolling', async () => {
        await page.goto('/dashboard');
        const rows = await page.locator('#board tbody tr').count();
        check(rows >= 20, `indicators on the board: ${rows}`);
        check((await text(page.locator('#ind-catalog\\.online'))).includes('%'), 'the online share is a percentage');
        const info = await inspect(page, 'board (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        return shot(page, 'j13-board-mobile.png');
      });
      await step('an indicator: its definition, a chart drawn on the server with its table', async () => {
        await page.locator('#ind-inspection\\.published_on_time a').first().click();
        await page.waitForURL(/\/dashboard\/inspection\.published_on_time/);
        check((await text(page.locator('#definition'))).includes('20 个工作日'), 'the definition in plain Chinese');
        check((await page.locator('svg.chart title').count()) >= 1, 'the chart has a text alternative');
        check((await page.locator('#unit-table tbody tr').count()) >= 1, 'the table behind the bars');
        const info = await inspect(page, 'indicator (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        return shot(page, 'j13-indicator-mobile.png');
      });
      await step('the records behind it: the numerator and denominator lists add up to the figure', async () => {
        await page.locator('#records-link').click();
        await page.waitForURL(/\/records/);
        const fig = await text(page.locator('#definition'));
        const m = fig.match(/=\s*(\d+)\s*\/\s*(\d+)/);
        check(m, `the figure as numerator / denominator: ${fig}`);
        check(Number(m[2]) >= 1, 'at least one check was published');
        const rows = await page.locator('table tbody tr').count();
        eq(rows, Number(m[1]) + Number(m[2]), 'rows listed in both lists');
        check((await page.locator('#numerator').count()) === 1, 'a numerator list');
        return shot(page, 'j13-records-mobile.png');
      });
      await step('a supervision round: a problem for the approval bureau, the numbered notice published', async () => {
        await page.goto('/plan/rounds');
        await page.locator('#title').fill('营商环境日常检查');
        await page.locator('#kind').selectOption('daily');
        await page.locator('#held_on').fill(districtToday());
        await post(page, page.locator('#new-round button'));
        check(/\/plan\/rounds\/DC\d{4}-\d{6}$/.test(page.url()), `the round's page: ${page.url()}`);
        await page.locator('#unit').selectOption('XH-SPJ');
        await page.locator('#kind').selectOption('problem');
        await page.locator('#text').fill('窗口未公示代办服务事项目录');
        await page.locator('#rectify_by').fill(districtDatePlus(10));
        await post(page, page.locator('#add-finding button'));
        check((await page.locator('#finding-0').count()) === 1, 'the finding is recorded');
        await page.locator('#notice').fill('对区行政审批局窗口未公示代办目录的问题予以通报，限期整改。');
        await post(page, page.locator('#publish button'));
        check(/西湖营商督〔\d{4}〕第\d{4}号/.test(await text(page.locator('#notice'))), 'the notice is numbered');
        const info = await inspect(page, 'round (mobile 390)');
        check(info.scrollWidth <= info.innerWidth + 1, `no sideways scrolling: ${info.scrollWidth}px`);
        return shot(page, 'j13-round-mobile.png');
      });
    } finally {
      await ctx.close();
    }
  });

  // -------------------------------------------------------------------------------------------
  await journey('evaluator: a third-party evaluator reads the dashboard and the plan, and nothing else', async (step) => {
    const ctx = await newContext(DESKTOP);
    const page = await ctx.newPage();
    let where = 'evaluator';
    page.on('pageerror', (e) => note(where, `page error: ${e.message}`));
    try {
      await signIn(page, { username: 'evaluator', password: 'evaluator-demo-2026' });
      await step('the menu offers the dashboard and the plan only', async () => {
        const links = await page.locator('header nav a').allInnerTexts();
        eq(links.map((l) => l.trim()).join('|'), '营商环境看板|行动方案', 'navigation');
      });
      await step('the board, an indicator, the assessment and the plan read', async () => {
        for (const path of ['/dashboard', '/dashboard/cases.on_time_legal', '/dashboard/assessment', '/plan', '/plan/reports', '/plan/rounds']) {
          const r = await page.goto(path);
          eq(r.status(), 200, path);
        }
        await page.goto('/plan');
        check((await page.locator('#task-4\\.04').count()) === 1, 'the plan lists task 4');
        check((await page.locator('#edit-plan').count()) === 0, 'no edit form for the evaluator');
        return shot(page, 'j14-evaluator-plan.png', false);
      });
      await step('cases, the hotline and the audit trail are closed to the evaluator', async () => {
        for (const path of ['/cases', '/hotline', '/supervision/overdue', '/admin/items']) {
          const r = await page.goto(path);
          check(r.status() === 403 || r.status() === 404, `${path}: ${r.status()}`);
        }
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
const JOURNEYS = 14;
const passed = results.filter((r) => r.ok && r.name !== 'harness').length;
const failed = JOURNEYS - passed;
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
