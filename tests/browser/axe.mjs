// Accessibility crawl for Tongban: every page reachable by each demo role (and the public), on a
// desktop and on a 390×844 phone, checked with axe-core against WCAG 2.2 AA.
//
//   node axe.mjs BASE_URL
//
// The crawl follows same-site links from the start page breadth first. Pages of one shape (the
// same path with another record number) are checked once, so the crawl stays short;
// sign-out, language switches, downloads and the API are not followed. Prints one line per
// violation and a closing line `axe: N passed, M failed` (pages); exits 1 on any violation.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = process.argv[2];
if (!base) {
  console.error('usage: node axe.mjs BASE_URL');
  process.exit(2);
}

const ROLES = [
  { name: 'public' },
  { name: 'applicant', username: 'company', password: 'company-demo-2026' },
  { name: 'clerk', username: 'clerk.spj', password: 'clerk-spj-demo-2026' },
  { name: 'approver', username: 'approver.spj', password: 'approver-spj-demo-2026' },
  { name: 'operator', username: 'operator', password: 'operator-demo-2026' },
  { name: 'supervisor', username: 'supervisor', password: 'supervisor-demo-2026' },
  { name: 'admin', username: 'admin', password: 'admin-demo-2026' },
  { name: 'evaluator', username: 'evaluator', password: 'evaluator-demo-2026' },
];
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 900 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];
const MAX_PAGES = 50;
const PER_SHAPE = 1;
const SKIP = [/^\/logout/, /^\/lang\//, /^\/api\//, /^\/static\//, /\/files\//, /\.(xlsx|csv|pdf|png|svg|json|xml|toml)(\?|$)/, /^\/admin\/export/, /^\/open311\//];

// /cases/2026-000012 and /cases/2026-000013 are one shape; so are /items/XH-SPJ-… codes.
function shape(path) {
  // The query's keys count, not their values: /items?theme=A and /items?theme=B are one page.
  const [p, q] = path.split('?');
  const keys = q ? [...new URLSearchParams(q).keys()].sort().join('&') : '';
  return p
    .replace(/\/[A-Z]{0,3}\d{4}-\d{6}/g, '/#')
    .replace(/\/XH-[A-Z0-9-]+/g, '/#')
    .replace(/\/\d+(?=\/|$)/g, '/#')
    .replace(/\/[0-9a-f]{16,}/g, '/#') + (keys ? `?${keys}` : '');
}

async function signIn(page, role) {
  await page.goto('/login');
  await page.locator('#username').fill(role.username);
  await page.locator('#password').fill(role.password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('form[action="/login"] button').click(),
  ]);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
let passed = 0;
let failed = 0;
const lines = [];
try {
  for (const role of ROLES) {
    for (const vp of VIEWPORTS) {
      // The crawler injects axe-core as a script, which the pages' policy (rightly) forbids.
      const ctx = await browser.newContext({ baseURL: base, viewport: vp.viewport, isMobile: vp.isMobile, hasTouch: vp.hasTouch, locale: 'zh-CN', bypassCSP: true });
      const page = await ctx.newPage();
      if (role.username) await signIn(page, role);
      const queue = ['/'];
      const seen = new Set();
      const shapes = new Map();
      let checked = 0;
      while (queue.length && checked < MAX_PAGES) {
        const path = queue.shift();
        if (seen.has(path)) continue;
        seen.add(path);
        const s = shape(path);
        if ((shapes.get(s) || 0) >= PER_SHAPE) continue;
        shapes.set(s, (shapes.get(s) || 0) + 1);
        const resp = await page.goto(path);
        if (!resp || resp.status() >= 400 || !(resp.headers()['content-type'] || '').includes('text/html')) continue;
        const here = new URL(page.url());
        if (here.origin !== new URL(base).origin) continue;
        checked += 1;
        await page.addScriptTag({ content: AXE });
        const result = await page.evaluate(async () =>
          // eslint-disable-next-line no-undef
          axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
        if (result.violations.length) {
          failed += 1;
          for (const v of result.violations) {
            const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
            lines.push(`axe ${role.name}/${vp.name} ${path}: ${v.id} (${v.impact}) ${where}`);
          }
        } else {
          passed += 1;
        }
        const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
        for (const href of links) {
          if (!href || !href.startsWith('/') || href.startsWith('//')) continue;
          const p = href.split('#')[0];
          if (SKIP.some((re) => re.test(p)) || seen.has(p)) continue;
          queue.push(p);
        }
      }
      await ctx.close();
    }
  }
} finally {
  await browser.close();
}
for (const l of lines) console.log(l);
console.log(`axe: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
