// kb4graph's HTML report in a real browser: Debian's Chromium, headless, driven by
// playwright-core (pinned in package-lock.json). The page must load from file:// with no
// console error and no request beyond the file itself; its figures must equal those counted
// here from json/graph.json of the same snapshot's export; the past-due table must sort and
// filter; print emulation must show the snapshot's hash and print to PDF. Screenshots of each
// view go to SHOTS_DIR for a person to look at.
//   node check.js REPORT.html EXPORT_DIR SHOTS_DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const [report, exportDir, shots] = process.argv.slice(2);
const fail = (msg) => { console.error(`report: ${msg}`); process.exit(1); };
const doc = JSON.parse(fs.readFileSync(path.join(exportDir, 'json', 'graph.json'), 'utf8'));

// The figures, counted from graph.json without kb4graph.
const users = doc.entities.filter((e) => e._type === 'knowbe4_user');
const assigned = doc.relationships.filter((r) => r._type === 'training_module_assigned_user');
const expected = {
  usersActive: users.filter((u) => u.status === 'active').length,
  usersArchived: users.filter((u) => u.status === 'archived').length,
  groups: doc.entities.filter((e) => e._type === 'knowbe4_user_group' && e.id !== 0).length,
  pastDueTotal: assigned.filter((r) => r.status === 'Past Due').length,
};
const results = doc.entities.filter((e) => e._type === 'knowbe4_phishing_security_test_result');
const clicked = {};
for (const r of results) {
  const test = doc.entities.find((e) => e._type === 'knowbe4_phishing_security_test' && e.pstId === r.pstId);
  clicked[test._key] = (clicked[test._key] || 0) + (r.clickedAt ? 1 : 0);
}

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const url = 'file://' + path.resolve(report);
  const started = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  const loaded = Date.now() - started;
  await page.screenshot({ path: path.join(shots, 'report-glance.png') });

  if (problems.length) fail(`console: ${problems.join('; ')}`);
  if (requests.length !== 1 || requests[0] !== url) fail(`requests beyond the file: ${JSON.stringify(requests)}`);

  for (const [name, value] of Object.entries(expected)) {
    const shown = (await page.locator(`[data-figure="${name}"]`).first().textContent()).trim();
    if (shown !== String(value)) fail(`${name}: the page shows ${shown}, graph.json counts ${value}`);
  }
  for (const [key, n] of Object.entries(clicked)) {
    const shown = (await page.locator(`tr[data-test="${key}"] [data-figure="clicked"]`).textContent()).trim();
    if (shown !== String(n)) fail(`${key} clicked: the page shows ${shown}, graph.json counts ${n}`);
  }

  // Sorting: by user, ascending then descending.
  const users_in = async () => page.locator('#pastdue tbody tr:not([hidden]) td:first-child').allTextContents();
  const header = page.locator('#pastdue th', { hasText: 'User' });
  await header.click();
  const up = await users_in();
  const sorted = [...up].sort((a, b) => a.localeCompare(b));
  if (JSON.stringify(up) !== JSON.stringify(sorted)) fail('the past-due table does not sort by user');
  await header.click();
  const down = await users_in();
  if (JSON.stringify(down) !== JSON.stringify([...sorted].reverse())) fail('the past-due table does not sort descending');
  await page.locator('#training').screenshot({ path: path.join(shots, 'report-training.png') });

  // Filtering: a user's name shows only their rows, and the count follows.
  const who = up[0];
  const t0 = Date.now();
  await page.fill('input[data-filter="pastdue"]', who);
  const answered = Date.now() - t0;
  const shown = await users_in();
  if (!shown.length || shown.some((u) => !u.toLowerCase().includes(who.toLowerCase()) && !u.includes(who))) {
    // A row may match on another column (group, module): it must hold the text somewhere.
    const rows = await page.locator('#pastdue tbody tr:not([hidden])').allTextContents();
    if (!rows.length || rows.some((r) => !r.toLowerCase().includes(who.toLowerCase()))) fail(`filtering by ${who} shows other rows`);
  }
  const count = (await page.locator('[data-shown="pastdue"]').textContent()).trim();
  if (count !== String(shown.length)) fail(`the count says ${count}, ${shown.length} rows are shown`);
  await page.locator('#pastdue').screenshot({ path: path.join(shots, 'report-pastdue-filtered.png') });
  await page.fill('input[data-filter="pastdue"]', '');

  // Print: the snapshot's hash on the page, and a PDF.
  await page.emulateMedia({ media: 'print' });
  const footer = await page.locator('footer').isVisible();
  if (!footer) fail('the footer with the snapshot hash is not shown in print');
  const sha = doc.metadata.snapshot.manifestSha256;
  if (!(await page.locator('footer').textContent()).includes(sha)) fail('the printed footer lacks the snapshot hash');
  const pdf = await page.pdf({ path: path.join(shots, 'report.pdf'), format: 'A4' });
  if (pdf.length < 10000) fail(`the PDF is ${pdf.length} bytes`);
  await page.screenshot({ path: path.join(shots, 'report-print.png'), fullPage: true });
  await browser.close();
  console.log(`report: Chromium loaded ${path.basename(report)} (${fs.statSync(report).size} bytes) in ${loaded} ms with no console message and no request beyond the file; ` +
    `${Object.keys(expected).length + Object.keys(clicked).length} figures equal graph.json's; the past-due table sorts both ways and filters (${answered} ms); ` +
    `print shows the snapshot hash, PDF ${pdf.length} bytes; screenshots in ${shots}`);
})().catch((e) => fail(e.stack || String(e)));
