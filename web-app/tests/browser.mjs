// The web app in a real browser (Debian's headless Chromium, driven by
// playwright-core; no browser is downloaded) against a real chain and the
// real indexer:
//
//  1. a fresh devnet (scripts/devnet.sh, chopsticks), the story over RPC
//     (bionft-story: contracts, the newborn's trio and its joint VCF), and
//     bionft-indexer following it and serving the built app (--web);
//  2. both parents grant a new researcher HMB use of their own samples with
//     the `bionft` CLI; the researcher (a keystore in their own browser
//     context) is refused the joint VCF: NoGrant (the newborn has not granted);
//  3. the mother imports her per-sample keystore for the newborn (polkadot.js
//     JSON, unlocked with the keyboard), sees the sample's lineage, and grants
//     the researcher HMB use of the newborn's aliquot and its subtree;
//  4. the researcher's check on the VCF passes (and an ancestry use is
//     refused by name); a data host logs a receipt (`bionft host
//     record-access`); the mother sees it in the access log and revokes;
//  5. the researcher's check now fails, with the contract's reason shown;
//  6. the mother withdraws a record (the VCF below it is withdrawn too) and
//     then all consent (earlier grants show as void).
//  7. the researcher explores the joint VCF's lineage by record id, walks to
//     its parents with the keyboard and sees all three samples behind it;
//  8. majority: a second newborn's sample (the claim secret made by `bionft
//     guardian claim-secret`, next month as its majority, a guardian grant),
//     the chain travels to the majority month, the biobank attests the
//     grown-up subject; in the browser the subject's claim with a wrong
//     secret is refused by the dry run (ClaimMismatch), the right one claims,
//     and the subject confirms the guardian's lapsed grant with the keyboard,
//     after which the researcher's check passes again.
// A grant of six years is refused by the dry run by name and never sent, and
// a last grant is signed through a polkadot.js-style injected extension.
// Every view is scanned with axe-core (no violations allowed) and saved as a
// screenshot under target/web-test/.
//
// Needs: target/debug/{bionft-story,bionft-indexer,bionft}, web-app/dist
// (scripts/build-web.sh), /usr/bin/chromium (scripts/setup.sh).
//   node web-app/tests/browser.mjs      exit 0 passed, 1 failed

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.BIONFT_BIN_DIR ?? join(ROOT, 'target', 'debug');
// scripts/devnet.sh stops the chains this test starts once this process has exited, even if it
// was killed before its own clean-up ran (scripts/watchdog.sh).
process.env.BIONFT_OWNER_PID = String(process.pid);
const OUT = join(ROOT, 'target', 'web-test');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// The story's salts (tests/e2e/src/story.rs); the test checks the keys they give against `bionft guardian account`.
const NEWBORN_SALT = 'newborn NB-2026-000123: salt kept by biobank and guardians';
const MOTHER_SALT = 'mother MO-2026-000123: salt kept by biobank and mother';
const FATHER_SALT = 'father FA-2026-000123: salt kept by biobank and father';
const PASSWORD = 'correct horse battery staple';
// The second newborn's, whose majority the test reaches.
const YOUNG_SALT = 'newborn NB-2026-000777: salt of the browser test\'s majority sample';

const started = Date.now();
const log = (...a) => console.error(`[web-test +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);
const children = [];
let devnetPort = null;

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  log(`ok: ${what}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function run(cmd, args, { allowFail = false, timeoutMs = 5 * 60_000 } = {}) {
  // A command that hangs fails the test, named, instead of running into CI's limit.
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\n${r.stderr ?? ''}`);
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

async function until(what, f, timeoutMs = 60_000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** The sr25519 per-sample key a parent acts with: `key//bionft//<hex of SHA3-256("bionft/guardian" ‖ salt)[..16]>`. */
function perSampleUri(key, salt) {
  const tag = createHash('sha3-256').update('bionft/guardian').update(salt).digest().subarray(0, 16).toString('hex');
  return `${key}//bionft//${tag}`;
}

async function axe(page, view) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(() => window.axe.run(document));
  const violations = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  check(violations.length === 0, `axe-core finds no accessibility violations in the ${view} view${violations.length ? `:\n  ${violations.join('\n  ')}` : ''}`);
  // Every form control has an accessible name (axe's `label` rule says so too; asserted here on its own).
  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => !el.closest('[hidden]'))
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())))
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  check(unlabeled.length === 0, `every control of the ${view} view has a label${unlabeled.length ? `: ${unlabeled.join(', ')}` : ''}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  log(`screenshot target/web-test/${name}.png`);
}

async function importKeystore(page, file) {
  await page.getByLabel('Keystore file (polkadot.js JSON)').setInputFiles(file);
  const password = page.getByLabel('Keystore password');
  await password.fill(PASSWORD);
  await password.press('Enter'); // the keyboard submits the form
  await page.getByTestId('signed-in').waitFor();
}

async function checkAccess(page, record, permission) {
  await page.getByLabel('Record id').fill(String(record));
  await page.getByLabel('Permission').selectOption({ label: permission });
  const answer = page.getByTestId('check-answer');
  await answer.evaluate((el) => { el.textContent = ''; delete el.dataset.allowed; });
  await page.getByRole('button', { name: 'Check access' }).click();
  await until('the access answer', async () => (await answer.getAttribute('data-allowed')) !== null, 30_000);
  return { allowed: await answer.getAttribute('data-allowed'), text: await answer.textContent() };
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await cryptoWaitReady();

  // 1. chain, story, indexer serving the app.
  devnetPort = await freePort();
  const endpoint = run(join(ROOT, 'scripts', 'devnet.sh'), ['start', '--port', String(devnetPort)]).stdout.trim();
  log(`devnet at ${endpoint}`);
  const deployment = join(OUT, 'deployment.json');
  const story = JSON.parse(run(join(BIN, 'bionft-story'), ['--endpoint', endpoint, '--deployment', deployment, '--json']).stdout);
  log(`story done: newborn sample ${story.sample}, aliquot ${story.aliquot}, joint VCF ${story.vcf}`);
  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const indexerLog = createWriteStream(join(OUT, 'indexer.log'));
  const indexer = spawn(join(BIN, 'bionft-indexer'), [
    'run', '--poll-ms', '200', '--deployment', deployment, '--db', join(OUT, 'index.sqlite'),
    '--listen', `127.0.0.1:${apiPort}`, '--web', join(ROOT, 'web-app', 'dist'),
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(indexer);
  indexer.stdout.pipe(indexerLog);
  indexer.stderr.pipe(indexerLog);
  const bionft = (...args) => run(join(BIN, 'bionft'), ['--deployment', deployment, '--endpoint', endpoint, ...args]);
  const indexed = async () => {
    const head = Number((await (await fetch(`http://127.0.0.1:${devnetPort}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'chain_getHeader', params: [] }),
    })).json()).result.number);
    return until(`the indexer at block ${head}`, async () => ((await (await fetch(`${api}/status`)).json()).block ?? 0) >= head);
  };
  await indexed();

  // Keystores: the mother's per-sample key for the newborn, and a new researcher.
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const mother = keyring.addFromUri(perSampleUri('//Eve', NEWBORN_SALT), { name: 'Mother, for the newborn' });
  const saltFile = (name, salt) => { const p = join(OUT, name); writeFileSync(p, salt); return p; };
  const newbornSalt = saltFile('newborn-salt.bin', NEWBORN_SALT);
  const derived = JSON.parse(bionft('--json', 'guardian', 'account', '--dev', '--key', '//Eve', '--sample-salt-file', newbornSalt).stdout).account;
  check(derived === mother.address, `the keystore's account is the mother's per-sample account for the newborn (${derived})`);
  const researcher = keyring.addFromUri('//WebResearcher', { name: 'Researcher' });
  const motherKeystore = join(OUT, 'mother-newborn.json');
  const researcherKeystore = join(OUT, 'researcher.json');
  const actingFor = async (who) => JSON.stringify(await (await fetch(`${api}/accounts/${who}/samples`)).json());
  check(await actingFor(mother.address) === JSON.stringify([{ sample: Number(story.sample), role: 'guardian', authority: true }]),
    `the indexer says the mother's per-sample key acts for sample ${story.sample} only, as a guardian`);
  check(await actingFor(researcher.address) === '[]', 'the indexer says the researcher acts for no sample');
  writeFileSync(motherKeystore, JSON.stringify(mother.toJson(PASSWORD)));
  writeFileSync(researcherKeystore, JSON.stringify(researcher.toJson(PASSWORD)));

  // 2. Both parents grant the researcher HMB use of their own samples (CLI).
  for (const [key, salt, sample] of [['//Eve', MOTHER_SALT, story.mother_sample], ['//Father', FATHER_SALT, story.father_sample]]) {
    bionft('guardian', 'grant', '--key', key, '--sample-salt-file', saltFile(`salt-${sample}.bin`, salt), '--sample', sample,
      '--scope', sample, '--grantee', researcher.address, '--purpose', 'HMB', '--days', '365');
  }
  log('both parents granted the researcher HMB use of their own samples');

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const open = async (hash, setup = async () => {}) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Paris', locale: 'en-GB' });
      await setup(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => log(`page error: ${e.message}`));
      const sizes = [];
      const onResponse = (r) => sizes.push(r.body().then((b) => b.length, () => 0));
      page.on('response', onResponse);
      const t0 = Date.now();
      await page.goto(`${api}/${hash}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      const ready = Date.now() - t0;
      page.off('response', onResponse);
      const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      log(`figure: first load ${bytes} bytes over HTTP in ${sizes.length} responses (uncompressed), ready (chain connected, view rendered) in ${ready} ms (${page.url()})`);
      return page;
    };

    // The researcher, before the newborn's guardian granted: refused by name.
    const rpage = await open('app/#researcher');
    await shot(rpage, '01-signed-out');
    await axe(rpage, 'signed-out');
    await importKeystore(rpage, researcherKeystore);
    check((await rpage.getByTestId('signed-in').textContent()).includes('Researcher'), 'the researcher unlocked their keystore');
    let answer = await checkAccess(rpage, story.vcf, 'HMB – health, medical or biomedical research');
    check(answer.allowed === 'false' && answer.text.includes('NoGrant'), `before the newborn's grant the VCF is refused with the contract's reason: "${answer.text}"`);

    // 3. The mother imports her keystore and grants.
    const gpage = await open('app/');
    await importKeystore(gpage, motherKeystore);
    await gpage.getByRole('heading', { name: `Sample ${story.sample}` }).waitFor();
    const lineage = gpage.getByRole('list', { name: new RegExp(`Lineage of sample ${story.sample}`) });
    for (const record of [story.sample, story.aliquot, story.bam, story.vcf]) {
      check(await lineage.locator(`[data-record="${record}"]`).count() === 1, `the lineage picture shows record ${record}`);
    }
    check((await lineage.locator(`[data-record="${story.vcf}"]`).textContent()).includes('Variants (VCF)'), 'the VCF is shown by its kind');
    check((await gpage.getByRole('table', { name: new RegExp(`Grants for sample ${story.sample}`) }).textContent()).includes('HMB – health, medical or biomedical research'),
      "the story's grant is listed with its DUO label");
    await shot(gpage, '02-guardian');
    await axe(gpage, 'guardian');

    await gpage.getByLabel('Researcher account (SS58 address or 0x hex)').fill(researcher.address);
    await gpage.getByLabel('Record the grant covers (with everything derived from it)').selectOption({ value: String(story.aliquot) });
    await gpage.locator('form.grant').getByLabel('Permission').selectOption({ label: 'HMB – health, medical or biomedical research' });
    const status = gpage.locator('#status');
    // Too long a grant: the dry run refuses it by name, and nothing is sent.
    const grantsOnChain = async () => (await (await fetch(`${api}/samples/${story.sample}/grants`)).json()).items.length;
    const before = await grantsOnChain();
    const lastDay = gpage.getByLabel('Last day of access');
    const defaultDay = await lastDay.inputValue();
    const sixYears = new Date(Date.now() + 6 * 366 * 86_400_000).toISOString().slice(0, 10);
    await lastDay.fill(sixYears);
    await gpage.getByRole('button', { name: 'Grant access' }).click();
    await until('the refusal', async () => /refused/i.test(await status.textContent()), 30_000);
    const refusal = await status.textContent();
    check(refusal.includes('GrantTooLong') && refusal.includes('at most five years'), `a six-year grant is refused by the dry run, by name and in words: "${refusal}"`);
    await indexed();
    check(await grantsOnChain() === before, 'the refused grant was never sent (the sample still has as many grants)');
    await lastDay.fill(defaultDay);
    const clicked = Date.now();
    await gpage.getByRole('button', { name: 'Grant access' }).click();
    await until('the grant in force', async () => /is in force/.test(await status.textContent()), 60_000);
    const grantId = (await status.textContent()).match(/Grant (\d+) is in force/)[1];
    const grantsTable = gpage.getByRole('table', { name: new RegExp(`Grants for sample ${story.sample}`) });
    const row = grantsTable.locator('tr', { has: gpage.locator('td', { hasText: new RegExp(`^${grantId}$`) }) });
    await row.waitFor();
    check((await row.textContent()).includes('active'), `grant ${grantId} shows as active`);
    log(`figure: ${Date.now() - clicked} ms from clicking "Grant access" to the grant listed as active`);
    const covered = new RegExp(`covered by grants? (\\d+, )*${grantId}(,|$)`);
    check(covered.test(await lineage.locator(`[data-record="${story.vcf}"] .covered`).textContent()), `the lineage picture shows the VCF covered by grant ${grantId}`);
    await shot(gpage, '03-guardian-granted');

    // 4. The researcher's check passes; ancestry use is refused; a data host logs an access.
    await rpage.getByRole('button', { name: 'Refresh' }).click();
    await rpage.getByRole('table', { name: 'Grants held by this account' }).locator('td', { hasText: new RegExp(`^${grantId}$`) }).waitFor();
    answer = await checkAccess(rpage, story.vcf, 'HMB – health, medical or biomedical research');
    check(answer.allowed === 'true' && new RegExp(`under grants? (\\d+, )*${grantId}[ ,]`).test(answer.text), `the researcher may use the VCF for HMB now: "${answer.text}"`);
    await shot(rpage, '04-researcher-allowed');
    await axe(rpage, 'researcher');
    answer = await checkAccess(rpage, story.vcf, 'POA – population origins or ancestry research only');
    check(answer.allowed === 'false' && answer.text.includes('PurposeNotPermitted'), `ancestry research on the VCF is refused by name: "${answer.text}"`);

    const receipt = JSON.parse(bionft('--json', 'host', 'record-access', '--key', '//Dave', '--grantee', researcher.address,
      '--record', String(story.vcf), '--purpose', 'HMB').stdout);
    log(`the data host logged ${JSON.stringify(receipt)}`);
    await indexed();

    await gpage.getByRole('button', { name: 'Refresh' }).click();
    const accessLog = gpage.getByRole('table', { name: new RegExp(`Who used sample ${story.sample}'s data`) });
    const logRow = accessLog.locator('tr', { hasText: researcher.address });
    await logRow.waitFor();
    const cells = await logRow.locator('td').allTextContents();
    check(cells[2].startsWith(`record ${story.vcf} `) && cells[3].startsWith('HMB') && new RegExp(`(^|, )${grantId}(,|$)`).test(cells[4]),
      `the mother sees the researcher's use of the VCF for HMB under grant ${grantId} in the access log (${cells.join(' | ')})`);
    await shot(gpage, '05-guardian-access-log');

    // The mother revokes; the researcher is refused, with the contract's reason.
    await gpage.getByRole('button', { name: `Revoke grant ${grantId}` }).click();
    await until('the revocation', async () => /is revoked/.test(await status.textContent()), 60_000);
    const revokedRow = grantsTable.locator('tr', { has: gpage.locator('td', { hasText: new RegExp(`^${grantId}$`) }) });
    await until(`grant ${grantId} shown as revoked`, async () => (await revokedRow.textContent()).includes('revoked'), 30_000);
    check(!(await revokedRow.textContent()).includes('Revoke'), `grant ${grantId} shows as revoked, with no revoke button left`);
    await shot(gpage, '06-guardian-revoked');

    await rpage.getByRole('button', { name: 'Refresh' }).click();
    const heldRow = rpage.getByRole('table', { name: 'Grants held by this account' }).locator('tr', { has: rpage.locator('td', { hasText: new RegExp(`^${grantId}$`) }) });
    await until(`the researcher's view showing grant ${grantId} revoked`, async () => (await heldRow.textContent()).includes('revoked'), 30_000);
    const used = await rpage.getByRole('table', { name: 'Accesses data hosts recorded for this account' }).locator('tbody tr').allTextContents();
    check(used.length === 1 && used[0].includes(String(story.vcf)) && used[0].includes('HMB'), `the researcher sees their one recorded access, to the VCF for HMB (${used})`);
    answer = await checkAccess(rpage, story.vcf, 'HMB – health, medical or biomedical research');
    check(answer.allowed === 'false' && answer.text.includes('NoGrant') && answer.text.includes('no grant to this grantee exists'),
      `after the revocation the researcher is refused, with the reason in words: "${answer.text}"`);
    await shot(rpage, '07-researcher-refused');

    // The mother withdraws the second alignment (and so the joint VCF below it), then all consent.
    const withdraw = gpage.locator('section.withdraw');
    await withdraw.getByLabel('Record to withdraw (with everything derived from it, joint records included)').selectOption({ value: String(story.bam2) });
    await withdraw.getByLabel('I understand that a withdrawn record cannot be used again').check();
    await withdraw.getByRole('button', { name: 'Withdraw record' }).click();
    await until('the withdrawal', async () => /are withdrawn/.test(await status.textContent()), 60_000);
    for (const record of [story.bam2, story.vcf]) {
      const node = gpage.getByRole('list', { name: new RegExp(`Lineage of sample ${story.sample}`) }).locator(`[data-record="${record}"]`);
      check((await node.getAttribute('class')).includes('status-withdrawn'), `the lineage picture shows record ${record} withdrawn`);
    }
    check((await gpage.getByRole('list', { name: new RegExp(`Lineage of sample ${story.sample}`) }).locator(`[data-record="${story.bam}"]`).getAttribute('class')).includes('status-active'),
      `the first alignment ${story.bam} stays active`);
    answer = await checkAccess(rpage, story.vcf, 'HMB – health, medical or biomedical research');
    check(answer.allowed === 'false' && answer.text.includes('RecordWithdrawn'), `the withdrawn VCF is refused by name: "${answer.text}"`);
    await withdraw.getByLabel(`I understand that every grant given so far for sample ${story.sample} stops counting`).check();
    await withdraw.getByRole('button', { name: 'Withdraw all consent' }).click();
    await until('the consent withdrawal', async () => /consent given so far/.test(await status.textContent()), 60_000);
    const storyGrant = grantsTable.locator('tr', { has: gpage.locator('td', { hasText: /^1$/ }) });
    check((await storyGrant.textContent()).includes('void: consent withdrawn'), "the story's grant 1 shows as void: consent withdrawn");
    await shot(gpage, '08-guardian-withdrawn');
    await axe(gpage, 'guardian (after withdrawals)');

    // The extension path: a polkadot.js-style injected extension (window.injectedWeb3) holding the
    // mother's key; it signs each payload the app hands it (here in the test process, with the key),
    // and the app never sees the key. She grants again after withdrawing consent: a new epoch.
    const chainApi = await ApiPromise.create({ provider: new WsProvider(endpoint), noInitWarn: true });
    let signed = 0;
    const epage = await open('app/', async (context) => {
      await context.exposeFunction('bionftTestExtensionSign', (payload) => {
        signed += 1;
        return chainApi.registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(mother).signature;
      });
      await context.addInitScript(({ address }) => {
        window.injectedWeb3 = {
          'bionft-test-extension': {
            version: '1.0.0',
            enable: async () => ({
              accounts: { get: async () => [{ address, name: 'Mother (extension)', type: 'sr25519' }] },
              signer: { signPayload: async (payload) => ({ id: 1, signature: await window.bionftTestExtensionSign(payload) }) },
            }),
          },
        };
      }, { address: mother.address });
    });
    const fromExtension = epage.getByLabel('Account from your browser extension');
    check((await fromExtension.textContent()).includes(mother.address), 'the app offers the extension\'s account');
    await epage.getByRole('button', { name: 'Use this account' }).click();
    check((await epage.getByTestId('signed-in').textContent()).includes('signing in your browser extension'), 'the mother signs in with the extension');
    await epage.getByLabel('Researcher account (SS58 address or 0x hex)').fill(researcher.address);
    await epage.getByLabel('Record the grant covers (with everything derived from it)').selectOption({ value: String(story.aliquot) });
    await epage.getByRole('button', { name: 'Grant access' }).click();
    const estatus = epage.locator('#status');
    await until('the grant signed by the extension', async () => /is in force|efused/.test(await estatus.textContent()), 60_000);
    const extGrant = (await estatus.textContent()).match(/Grant (\d+) is in force/)?.[1];
    check(extGrant && signed === 1, `the extension signed the grant (${await estatus.textContent()})`);
    const extRow = epage.getByRole('table', { name: new RegExp(`Grants for sample ${story.sample}`) })
      .locator('tr', { has: epage.locator('td', { hasText: new RegExp(`^${extGrant}$`) }) });
    await extRow.waitFor();
    check((await extRow.textContent()).includes('active'), `grant ${extGrant}, signed by the extension, shows as active`);
    await shot(epage, '09-guardian-extension');

    // 7. The researcher's lineage explorer: any record by id, walked by keyboard.
    const explorerStarted = Date.now();
    const explorer = rpage.locator('section.explorer');
    const exploreInput = explorer.getByLabel('Record to explore');
    await exploreInput.fill(String(story.vcf));
    await exploreInput.press('Enter');
    const vcfHeading = rpage.getByRole('heading', { name: `Record ${story.vcf}: Variants (VCF)` });
    await vcfHeading.waitFor();
    check(await vcfHeading.evaluate((el) => el === document.activeElement), 'the explorer moves the keyboard focus to the record it shows');
    const trio = [story.sample, story.mother_sample, story.father_sample].map(Number).sort((a, b) => a - b);
    const facts = () => explorer.locator('dl.facts').textContent();
    const vcfView = await (await fetch(`${api}/records/${story.vcf}`)).json();
    const paris = (ms) => new Date(ms).toLocaleString('en-GB', { timeZone: 'Europe/Paris', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    let text = await facts();
    check(text.includes(`joint record of 3 samples: ${trio[0]}, ${trio[1]} and ${trio[2]}`), `the VCF is shown as the trio's joint record (${text})`);
    check(text.includes(paris(vcfView.registered.time)), `its registration time is shown in the browser's local time (${paris(vcfView.registered.time)})`);
    check(/Status\s*withdrawn/.test(text) && text.includes(`through record ${story.bam2} it derives from`), 'its status says it is withdrawn, through the withdrawn alignment');
    const parents = explorer.getByRole('list', { name: `Parents of record ${story.vcf}` });
    const parentIds = (await parents.locator('button').evaluateAll((bs) => bs.map((b) => Number(b.dataset.record)))).sort((a, b) => a - b);
    const expectedParents = [story.bam, story.bam2, story.mother_bam, story.father_bam].map(Number).sort((a, b) => a - b);
    check(JSON.stringify(parentIds) === JSON.stringify(expectedParents), `the joint VCF lists its four parents (${parentIds})`);
    check((await explorer.locator(`figure [data-record="${story.vcf}"]`).textContent()).includes(`from records ${expectedParents.join(', ')}`),
      'the lineage picture shows the VCF derived from the four alignments');
    // Keyboard: from the heading, Tab reaches the first parent; Enter walks there.
    await rpage.keyboard.press('Tab');
    const tabbed = await rpage.evaluate(() => document.activeElement?.dataset.record);
    check(Number(tabbed) === expectedParents[0], `Tab from the record's heading reaches its first parent (record ${tabbed})`);
    await parents.locator(`[data-record="${story.mother_bam}"]`).focus();
    await rpage.keyboard.press('Enter');
    const motherBamHeading = rpage.getByRole('heading', { name: `Record ${story.mother_bam}: Alignment (BAM/CRAM)` });
    await motherBamHeading.waitFor();
    text = await facts();
    check(text.includes(`sample ${story.mother_sample}`) && /Status\s*active/.test(text), `Enter on a parent walks to the mother's alignment, of her own sample ${story.mother_sample}, active (${text})`);
    const kids = await explorer.getByRole('list', { name: `Children of record ${story.mother_bam}` }).locator('button').evaluateAll((bs) => bs.map((b) => b.dataset.record));
    check(kids.includes(String(story.vcf)), `the mother's alignment lists the joint VCF among its children (${kids})`);
    // All steps back from the VCF: every sample of the trio, beyond the newborn's own subtree.
    await explorer.getByLabel('Steps to show each way').selectOption({ value: '8' });
    await exploreInput.fill(String(story.vcf));
    await explorer.getByRole('button', { name: 'Show lineage' }).click();
    await vcfHeading.waitFor();
    const picture = explorer.getByRole('list', { name: new RegExp(`Lineage around record ${story.vcf}`) });
    for (const sample of trio) {
      check((await picture.locator(`[data-record="${sample}"]`).textContent()).includes(`Sample · record ${sample}`), `the explorer's picture reaches back to sample ${sample}`);
    }
    await shot(rpage, '10-researcher-lineage');
    await axe(rpage, 'researcher lineage explorer');
    await exploreInput.fill('999999');
    await exploreInput.press('Enter');
    const notFound = explorer.getByTestId('explore-error');
    await notFound.waitFor();
    check((await notFound.textContent()).includes('Cannot show record 999999'), `an unknown record is reported in words: "${await notFound.textContent()}"`);
    log(`figure: the lineage explorer part took ${Date.now() - explorerStarted} ms`);

    // 8. Majority. A second newborn's sample, minted with next month as its majority month.
    const majorityStarted = Date.now();
    const youngSalt = saltFile('young-salt.bin', YOUNG_SALT);
    const secretFile = join(OUT, 'claim-secret.txt');
    const commitment = JSON.parse(bionft('--json', 'guardian', 'claim-secret', '--out', secretFile).stdout).claim_commitment;
    const guardianForYoung = JSON.parse(bionft('--json', 'guardian', 'account', '--dev', '--key', '//Eve', '--sample-salt-file', youngSalt).stdout).account;
    const chainNow = Number((await chainApi.query.timestamp.now()).toString());
    const today = new Date(chainNow);
    const majorityStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1);
    const majority = new Date(majorityStart).toISOString().slice(0, 7);
    const barcode = join(OUT, 'young-barcode.txt');
    writeFileSync(barcode, 'NB-2026-000777');
    const young = JSON.parse(bionft('--json', 'biobank', 'mint', '--key', '//Bob', '--identifier-file', barcode, '--salt-file', youngSalt,
      '--guardian', guardianForYoung, '--claim-commitment', commitment, '--majority', majority).stdout).sample;
    const youngGrant = JSON.parse(bionft('--json', 'guardian', 'grant', '--key', '//Eve', '--sample-salt-file', youngSalt, '--sample', young,
      '--scope', young, '--grantee', researcher.address, '--purpose', 'HMB', '--days', '365').stdout).grant;
    log(`minted sample ${young} (majority ${majority}); the guardian granted the researcher HMB use (grant ${youngGrant})`);
    // The chain travels to the majority month; the biobank verifies the grown-up subject and attests their account.
    for (const [method, params] of [['dev_timeTravel', [majorityStart + 3_600_000]], ['dev_newBlock', []]]) {
      const r = await (await fetch(`http://127.0.0.1:${devnetPort}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
      })).json();
      if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    }
    check(Number((await chainApi.query.timestamp.now()).toString()) >= majorityStart, `the chain is in the majority month ${majority}`);
    const child = keyring.addFromUri('//WebGrownUpSubject', { name: 'Grown-up subject' });
    bionft('biobank', 'attest', '--key', '//Bob', '--sample', young, '--claimant', child.address);
    await new Promise((resolve, reject) => {
      chainApi.tx.balances.transferKeepAlive(child.address, 1_000_000_000_000_000n)
        .signAndSend(keyring.addFromUri('//Alice'), (r) => {
          if (r.dispatchError) reject(new Error(`funding the subject: ${r.dispatchError.toString()}`));
          else if (r.status.isInBlock || r.status.isFinalized) resolve();
        }).catch(reject);
    });
    const childKeystore = join(OUT, 'grown-up-subject.json');
    writeFileSync(childKeystore, JSON.stringify(child.toJson(PASSWORD)));
    await indexed();
    answer = await checkAccess(rpage, young, 'HMB – health, medical or biomedical research');
    check(answer.allowed === 'false' && answer.text.includes('LapsedAtMajority'), `at the majority month the guardian's grant lapses: "${answer.text}"`);

    // The grown-up subject, in their own browser: a wrong secret is refused by the dry run; the right one claims.
    const spage = await open('app/');
    await importKeystore(spage, childKeystore);
    const claimForm = spage.locator('form.claim');
    await claimForm.getByLabel('Sample id').fill(String(young));
    const secretInput = claimForm.getByLabel('Claim secret (the words your guardians kept)');
    check(await secretInput.getAttribute('type') === 'password', 'the claim secret is typed into a password field');
    await shot(spage, '11-subject-before-claim');
    await axe(spage, 'subject (before the claim)');
    const sstatus = spage.locator('#status');
    await secretInput.fill('these are not the words my guardians kept');
    await secretInput.press('Enter');
    await until('the wrong secret refused', async () => /refused/i.test(await sstatus.textContent()), 60_000);
    const mismatch = await sstatus.textContent();
    check(mismatch.includes('ClaimMismatch') && mismatch.includes('does not open'), `a wrong claim secret is refused by the dry run, by name and in words: "${mismatch}"`);
    await indexed();
    check(await actingFor(child.address) === '[]', 'the refused claim was never sent (the account is nobody\'s subject)');
    await secretInput.fill(readFileSync(secretFile, 'utf8'));
    const claimed = Date.now();
    await secretInput.press('Enter');
    await until('the claim', async () => /You are now the subject|efused/.test(await sstatus.textContent()), 60_000);
    log(`figure: ${Date.now() - claimed} ms from pressing Enter on the claim secret to "You are now the subject" (PBKDF2 in the page, dry run, inclusion, the indexer catching up)`);
    check((await sstatus.textContent()).includes(`You are now the subject of sample ${young}`), `the subject claimed sample ${young} (${await sstatus.textContent()})`);
    check(await actingFor(child.address) === JSON.stringify([{ sample: Number(young), role: 'subject', authority: true }]),
      `the indexer says the grown-up subject's account is sample ${young}'s subject`);
    await spage.getByRole('heading', { name: `Sample ${young} — you are its subject` }).waitFor();
    const youngGrants = spage.getByRole('table', { name: `Grants for sample ${young}` });
    const lapsedRow = youngGrants.locator('tr', { has: spage.locator('td', { hasText: new RegExp(`^${youngGrant}$`) }) });
    check((await lapsedRow.textContent()).includes('lapsed at majority'), `the guardian's grant ${youngGrant} shows as lapsed at majority`);
    check(await spage.getByTestId(`confirm-notice-${young}`).isVisible(), 'the subject is told that guardians\' grants need confirming');
    await shot(spage, '12-subject-claimed');
    await axe(spage, 'subject (after the claim)');
    // Keyboard: the confirm button takes focus and Enter confirms.
    const confirmButton = spage.getByRole('button', { name: `Confirm grant ${youngGrant}` });
    await confirmButton.focus();
    await spage.keyboard.press('Enter');
    await until('the confirmation', async () => /is confirmed|efused/.test(await sstatus.textContent()), 60_000);
    check((await sstatus.textContent()).includes(`Grant ${youngGrant} is confirmed`), `the subject confirmed grant ${youngGrant} (${await sstatus.textContent()})`);
    await until(`grant ${youngGrant} active again`, async () => /active/.test(await lapsedRow.textContent()), 30_000);
    check((await lapsedRow.textContent()).includes('confirmed by the subject') && (await lapsedRow.textContent()).includes('Revoke'),
      `grant ${youngGrant} shows as active, confirmed by the subject, and revocable by them`);
    await shot(spage, '13-subject-confirmed');
    answer = await checkAccess(rpage, young, 'HMB – health, medical or biomedical research');
    check(answer.allowed === 'true' && new RegExp(`under grant ${youngGrant}[ ,]`).test(answer.text), `after the confirmation the researcher may use sample ${young} again: "${answer.text}"`);
    log(`figure: the majority part took ${Date.now() - majorityStarted} ms`);
    await chainApi.disconnect();
  } finally {
    await browser.close();
  }
}

function cleanup() {
  for (const c of children) c.kill();
  if (devnetPort) spawnSync(join(ROOT, 'scripts', 'devnet.sh'), ['stop', '--port', String(devnetPort)], { cwd: ROOT, stdio: 'ignore' });
}

main().then(
  () => {
    cleanup();
    log(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in target/web-test/`);
    process.exit(0);
  },
  (e) => {
    cleanup();
    console.error(`web-test: FAILED: ${e.stack ?? e}`);
    process.exit(1);
  },
);
