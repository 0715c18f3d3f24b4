// BioNFT's web app: the guardians' (and grown-up subjects') view of the
// samples they act for, with the subject's majority claim and confirmation
// of guardians' grants, and the researchers' view of their grants, of "may I
// use record R for purpose P now?" and of any record's lineage. Reads come
// from the indexer that serves this app; writes and the access check go to
// the contracts.

import './style.css';
import { u8aToHex } from '@polkadot/util';
import { encodeAddress } from '@polkadot/util-crypto';
import { extensionAccounts, SS58_PREFIX, unlockKeystore } from './accounts';
import { Chain, Refusal, type Account } from './chain';
import { CLAIM_KEY_ROUNDS, signClaim } from './claim';
import { field, h, localTime, table, uid } from './dom';
import { describePurpose, purposeText } from './duo';
import { indexer, type ActingFor, type Deployment, type Grant, type Lineage, type LineageNode, type Receipt } from './indexer';
import { purposePicker } from './picker';

const DAY = 86_400_000;

interface AppState {
  deployment: Deployment;
  chain: Chain;
  account: Account | null;
  view: 'guardian' | 'researcher';
  /** The record the researcher's lineage explorer shows, and how many steps each way. */
  explore: { record: number; depth: number } | null;
}

const statusEl = document.getElementById('status')!;
const accountEl = document.getElementById('account')!;
const viewEl = document.getElementById('view')!;
const navButtons = [...document.querySelectorAll<HTMLButtonElement>('nav button[data-view]')];

function say(text: string, kind: 'info' | 'ok' | 'error' = 'info') {
  statusEl.textContent = text;
  statusEl.dataset.kind = kind;
}

function ss58(account: string): string {
  try {
    return encodeAddress(account, SS58_PREFIX);
  } catch {
    return account;
  }
}

/** A short, still unambiguous rendering of an account, with the full address for assistive tech and hover. */
function who(account: string): HTMLElement {
  const a = ss58(account);
  return h('span', { class: 'account', title: a }, `${a.slice(0, 6)}…${a.slice(-6)}`, h('span', { class: 'sr-only' }, ` (${a})`));
}

const KIND_LABELS: Record<string, string> = {
  sample: 'Sample',
  aliquot: 'Aliquot',
  library: 'Library',
  sequencing_run: 'Sequencing run',
  reads: 'Reads (FASTQ)',
  alignment: 'Alignment (BAM/CRAM)',
  variants: 'Variants (VCF)',
};
const kindLabel = (k: string) => KIND_LABELS[k] ?? k;

const STATE_LABELS: Record<string, string> = {
  active: 'active',
  expired: 'expired',
  revoked: 'revoked',
  lapsed_at_majority: 'lapsed at majority',
  consent_withdrawn: 'void: consent withdrawn',
  issuer_no_longer_guardian: 'void: issuer no longer a guardian',
};
const stateBadge = (s: string) => h('span', { class: `badge state-${s}` }, STATE_LABELS[s] ?? s);

function refusalText(e: unknown): string {
  if (e instanceof Refusal) return `Refused by the ${e.contract} contract: ${e.names.join(' → ')} — ${e.words}`;
  return e instanceof Error ? e.message : String(e);
}

/** Waits until the indexer has indexed the chain's current best block (chopsticks and GRANDPA both finalize it soon). */
async function indexerCaughtUp(chain: Chain, timeoutMs = 30_000): Promise<boolean> {
  const target = (await chain.api.rpc.chain.getHeader()).number.toNumber();
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const s = await indexer.status().catch(() => null);
    if (s?.block != null && s.block >= target) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

// ------------------------------------------------------------------ account

function renderAccount(state: AppState, extension: Account[]) {
  accountEl.replaceChildren();
  const heading = h('h2', { id: 'account-heading' }, 'Your account');
  if (state.account) {
    accountEl.append(
      heading,
      h('p', { 'data-testid': 'signed-in' }, 'Signed in as ', h('strong', {}, state.account.name), ' ', who(state.account.address),
        state.account.kind === 'extension' ? ' (signing in your browser extension)' : ' (keystore unlocked in this page only)'),
      h('button', { type: 'button', onclick: () => { state.account = null; renderAccount(state, extension); render(state); } }, 'Use another account'),
    );
    return;
  }
  accountEl.append(heading);
  if (extension.length > 0) {
    const select = h('select', {}, ...extension.map((a, i) => h('option', { value: String(i) }, `${a.name} (${ss58(a.address)})`)));
    accountEl.append(
      h('form', { class: 'row', onsubmit: (e: Event) => { e.preventDefault(); state.account = extension[Number(select.value)]; renderAccount(state, extension); render(state); } },
        field('Account from your browser extension', select),
        h('button', { type: 'submit' }, 'Use this account')),
    );
  } else {
    accountEl.append(h('p', {}, 'No polkadot.js-compatible browser extension was found. Import an encrypted JSON keystore (exported from polkadot.js or an extension) instead.'));
  }
  const file = h('input', { type: 'file', accept: '.json,application/json', required: true });
  const password = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  accountEl.append(
    h('form', {
      class: 'row',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = file.files?.[0];
        if (!f) return say('Choose a keystore file first.', 'error');
        try {
          state.account = await unlockKeystore(await f.text(), password.value);
          password.value = '';
          say(`Unlocked ${state.account.name}.`, 'ok');
          renderAccount(state, extension);
          render(state);
        } catch (err) {
          say(`Could not unlock the keystore: ${refusalText(err)}`, 'error');
        }
      },
    },
    field('Keystore file (polkadot.js JSON)', file),
    field('Keystore password', password),
    h('button', { type: 'submit' }, 'Unlock')),
  );
}

// ------------------------------------------------------------------ guardian

/** Which nodes each grant covers: its scope and everything derived from it. */
function coverage(lineage: Lineage, grants: Grant[]): Map<number, Grant[]> {
  const children = new Map<string, string[]>();
  for (const e of lineage.edges) children.set(e.origin, [...(children.get(e.origin) ?? []), e.destination]);
  const covered = new Map<number, Grant[]>();
  for (const g of grants.filter((g) => g.state === 'active')) {
    const seen = new Set<string>();
    const todo = [`record:${g.scope}`];
    while (todo.length) {
      const id = todo.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      todo.push(...(children.get(id) ?? []));
    }
    for (const n of lineage.nodes) if (seen.has(n.id)) covered.set(n.record, [...(covered.get(n.record) ?? []), g]);
  }
  return covered;
}

function lineagePicture(sample: number, lineage: Lineage, grants: Grant[]): HTMLElement {
  const covered = coverage(lineage, grants);
  const generations = new Map<number, LineageNode[]>();
  for (const n of lineage.nodes.filter((n) => n.distance >= 0)) generations.set(n.distance, [...(generations.get(n.distance) ?? []), n]);
  const columns = [...generations.keys()].sort((a, b) => a - b).map((d) =>
    h('li', { class: 'generation' },
      h('span', { class: 'sr-only' }, d === 0 ? 'The sample: ' : `Derived in ${d} step${d > 1 ? 's' : ''}: `),
      h('ul', {}, ...generations.get(d)!.sort((a, b) => a.record - b.record).map((n) => {
        const grantsHere = covered.get(n.record) ?? [];
        return h('li', { class: `node status-${n.status}`, 'data-record': String(n.record) },
          h('strong', {}, kindLabel(n.kind)), ` · record ${n.record}`,
          h('br'), h('span', { class: 'when' }, localTime(n.registered.time)),
          h('br'), h('span', { class: `badge status-${n.status}` }, n.status),
          n.samples.length > 1 ? h('span', { class: 'joint' }, ` joint record of samples ${n.samples.join(', ')}`) : null,
          grantsHere.length ? h('span', { class: 'covered' }, h('br'), `covered by grant${grantsHere.length > 1 ? 's' : ''} ${grantsHere.map((g) => g.id).join(', ')}`) : null);
      }))));
  return h('figure', { class: 'lineage' },
    h('ol', { class: 'generations', 'aria-label': `Lineage of sample ${sample}, from the sample to the files derived from it` }, ...columns),
    h('figcaption', {}, 'Each column is one processing step further from the sample; a grant covers the record it names and everything to its right that derives from it.'));
}

async function renderGuardian(state: AppState, into: HTMLElement) {
  const account = state.account!;
  const acting = await indexer.actingFor(account.address);
  into.append(h('h2', { id: 'view-heading' }, 'Samples you act for'));
  if (acting.length === 0) {
    into.append(h('p', {}, 'This account is not a guardian or the subject of any sample (guardians act with a key of their own for each sample). If you have come of age, claim your own record below.'));
  }
  for (const a of acting) {
    const [lineage, grants] = await Promise.all([indexer.descendants(a.sample), indexer.sampleGrants(a.sample)]);
    const receipts: Receipt[] = [];
    for (const g of grants) receipts.push(...(await indexer.grantReceipts(g.id)));
    const unique = [...new Map(receipts.map((r) => [r.id, r])).values()].sort((x, y) => y.at.time - x.at.time);
    const headingId = `sample-${a.sample}`;
    into.append(h('article', { 'aria-labelledby': headingId },
      h('h3', { id: headingId }, `Sample ${a.sample}`, h('span', { class: 'role' }, ` — you are its ${a.role}${a.authority ? '' : ' (no authority now: guardianship ended at the majority month)'}`)),
      a.role === 'subject' ? h('p', {}, 'You decide who may use this sample and what derives from it: you may grant, revoke and withdraw, and keep your guardians\u2019 grants in force by confirming them.') : null,
      h('h4', {}, 'Lineage'),
      lineagePicture(a.sample, lineage, grants),
      h('h4', {}, 'Grants'),
      confirmable(a, grants).length
        ? h('p', { class: 'notice', 'data-testid': `confirm-notice-${a.sample}` },
          `Your guardians' grants stopped counting at your majority month. Confirm each one you want to keep: it then counts again, under your authority, until its end date. A grant you leave unconfirmed stays lapsed.`)
        : null,
      table(`Grants for sample ${a.sample}`, ['Grant', 'Researcher', 'Covers', 'Purpose', 'Issued', 'Ends', 'State', 'Action'],
        grants.map((g) => [
          String(g.id), who(g.grantee), `record ${g.scope} (${kindLabel(lineage.nodes.find((n) => n.record === g.scope)?.kind ?? '')}) and what derives from it`,
          describePurpose(g.purpose), `${localTime(g.issued.time)}, by ${g.issuer === 'subject' ? 'the subject' : 'a guardian'}`, localTime(g.expires_at),
          h('span', {}, stateBadge(g.state), g.confirmed ? h('span', { class: 'confirmed' }, h('br'), `confirmed by the subject ${localTime(g.confirmed.time)}`) : null),
          grantActions(state, a, g),
        ]), 'No grants yet.'),
      h('h4', {}, 'Access log'),
      table(`Who used sample ${a.sample}'s data`, ['When', 'Researcher', 'Record', 'Purpose', 'Under grant(s)', 'Data host'],
        unique.map((r) => [localTime(r.at.time), who(r.grantee), `record ${r.record} (${kindLabel(lineage.nodes.find((n) => n.record === r.record)?.kind ?? '')})`,
          describePurpose(r.purpose), r.grants.join(', '), who(r.data_host)]), 'Nobody has used this sample\'s data yet.'),
      a.authority ? grantForm(state, a.sample, lineage) : null,
      a.authority ? withdrawForms(state, a.sample, lineage) : null,
    ));
  }
  // A guardian's per-sample key is never a grown-up subject's account: the claim is offered to everyone else.
  if (!acting.some((a) => a.role === 'guardian')) into.append(claimForm(state));
}

/** Guardians' grants the subject may confirm: lapsed at majority, not confirmed yet (the contract also refuses revoked, expired and withdrawn ones). */
function confirmable(a: ActingFor, grants: Grant[]): Grant[] {
  if (a.role !== 'subject' || !a.authority) return [];
  return grants.filter((g) => g.issuer === 'guardian' && !g.confirmed && g.state === 'lapsed_at_majority');
}

function grantActions(state: AppState, a: ActingFor, g: Grant): HTMLElement | string {
  if (!a.authority) return '';
  if (confirmable(a, [g]).length) {
    return h('button', { type: 'button', 'aria-label': `Confirm grant ${g.id}`, onclick: () => confirmGrant(state, g.id) }, 'Confirm');
  }
  if (g.state === 'active') return h('button', { type: 'button', 'aria-label': `Revoke grant ${g.id}`, onclick: () => revoke(state, g.id) }, 'Revoke');
  return '';
}

/** The sample's own records and what derives from them that are still active, by id. */
function activeRecords(lineage: Lineage): LineageNode[] {
  return lineage.nodes.filter((n) => n.distance >= 0 && n.status === 'active').sort((a, b) => a.record - b.record);
}

function grantForm(state: AppState, sample: number, lineage: Lineage): HTMLElement {
  const grantee = h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
  const scope = h('select', { required: true }, ...activeRecords(lineage)
    .map((n) => h('option', { value: String(n.record) }, `record ${n.record}: ${kindLabel(n.kind)}, registered ${localTime(n.registered.time)}`)));
  const picker = purposePicker('Purpose (GA4GH DUO)');
  const end = h('input', { type: 'date', required: true });
  const inAYear = new Date(Date.now() + 365 * DAY);
  end.value = `${inAYear.getFullYear()}-${String(inAYear.getMonth() + 1).padStart(2, '0')}-${String(inAYear.getDate()).padStart(2, '0')}`;
  return h('form', {
    class: 'grant',
    'aria-labelledby': `grant-heading-${sample}`,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const purpose = picker.value();
      if (typeof purpose === 'string') return say(purpose, 'error');
      const [y, m, d] = end.value.split('-').map(Number);
      // The grant ends when the chosen day ends, local time.
      const expiresAt = new Date(y, m - 1, d + 1).getTime();
      const who_ = grantee.value.trim();
      say(`Checking the grant with the consent contract (dry run)…`);
      try {
        const id = await state.chain.send('consent', 'grant', state.account!, [sample, who_, Number(scope.value), purpose, expiresAt]);
        say(`Grant ${id.toString()} sent; waiting for the indexer…`);
        await indexerCaughtUp(state.chain);
        say(`Grant ${id.toString()} is in force: ${ss58(who_)} may use record ${scope.value} and what derives from it for ${purposeText(purpose)} until ${localTime(expiresAt)}.`, 'ok');
        await render(state);
      } catch (err) {
        say(refusalText(err), 'error');
      }
    },
  },
  h('h4', { id: `grant-heading-${sample}` }, 'Grant a researcher access'),
  field('Researcher account (SS58 address or 0x hex)', grantee),
  field('Record the grant covers (with everything derived from it)', scope),
  picker.element,
  field('Last day of access', end, 'The grant ends at midnight after this day, your local time; at most five years ahead.'),
  h('button', { type: 'submit' }, 'Grant access'));
}

/** Sends a write (dry run first), waits for the indexer, reports and re-renders. */
async function act(state: AppState, doing: string, done: string, contract: 'biosample' | 'consent', message: string, args: unknown[]) {
  say(`${doing} (dry run first)…`);
  try {
    await state.chain.send(contract, message, state.account!, args);
    await indexerCaughtUp(state.chain);
    say(done, 'ok');
    await render(state);
  } catch (err) {
    say(refusalText(err), 'error');
  }
}

/** Withdraw a record (and what derives from it), or all consent given so far; each needs a confirming tick. */
function withdrawForms(state: AppState, sample: number, lineage: Lineage): HTMLElement {
  const record = h('select', { required: true }, ...activeRecords(lineage)
    .map((n) => h('option', { value: String(n.record) }, `record ${n.record}: ${kindLabel(n.kind)}`)));
  const sureRecord = h('input', { type: 'checkbox', required: true });
  const sureAll = h('input', { type: 'checkbox', required: true });
  const tick = (box: HTMLInputElement, text: string) => {
    box.id = uid('sure');
    return h('div', { class: 'check' }, box, h('label', { for: box.id }, text));
  };
  return h('section', { class: 'withdraw', 'aria-labelledby': `withdraw-heading-${sample}` },
    h('h4', { id: `withdraw-heading-${sample}` }, 'Withdraw'),
    h('form', {
      onsubmit: (e: Event) => {
        e.preventDefault();
        act(state, `Withdrawing record ${record.value}`, `Record ${record.value} and everything derived from it are withdrawn.`, 'biosample', 'withdraw', [Number(record.value)]);
      },
    },
    field('Record to withdraw (with everything derived from it, joint records included)', record),
    tick(sureRecord, 'I understand that a withdrawn record cannot be used again'),
    h('button', { type: 'submit' }, 'Withdraw record')),
    h('form', {
      onsubmit: (e: Event) => {
        e.preventDefault();
        act(state, 'Withdrawing all consent', `All consent given so far for sample ${sample} is withdrawn: every earlier grant is void.`, 'consent', 'withdrawAll', [sample]);
      },
    },
    tick(sureAll, `I understand that every grant given so far for sample ${sample} stops counting`),
    h('button', { type: 'submit' }, 'Withdraw all consent')));
}

function revoke(state: AppState, grant: number) {
  return act(state, `Revoking grant ${grant}`, `Grant ${grant} is revoked.`, 'consent', 'revoke', [grant]);
}

function confirmGrant(state: AppState, grant: number) {
  return act(state, `Confirming grant ${grant}`, `Grant ${grant} is confirmed: it counts again, now under your authority, until its end date.`, 'consent', 'confirm', [grant]);
}

/**
 * The grown-up subject's majority claim. It needs both factors: the biobank's
 * attestation of this account (made in person, from the majority month on) and
 * the claim secret the guardians kept. The secret stays in the page: the claim
 * key is derived here and only its signature, naming this account, is sent.
 */
function claimForm(state: AppState): HTMLElement {
  const sample = h('input', { type: 'number', min: '1', step: '1', required: true, inputmode: 'numeric' });
  const secret = h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' });
  const file = h('input', { type: 'file', accept: '.txt,text/plain' });
  return h('form', {
    class: 'claim',
    'aria-labelledby': 'claim-heading',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const id = Number(sample.value);
      let text = secret.value;
      const f = file.files?.[0];
      if (!text.trim() && f) text = await f.text();
      if (!text.trim()) return say('Type the claim secret, or choose the file it is in.', 'error');
      try {
        say(`Deriving your claim key from the secret (${CLAIM_KEY_ROUNDS.toLocaleString('en')} rounds of PBKDF2; the secret stays in this page)…`);
        const signature = await signClaim(text, state.deployment.biosample.address, BigInt(id), state.account!.address);
        say(`Checking the claim of sample ${id} with the biosample contract (dry run first)…`);
        await state.chain.send('biosample', 'claimMajority', state.account!, [id, u8aToHex(signature)]);
        secret.value = '';
        await indexerCaughtUp(state.chain);
        say(`You are now the subject of sample ${id}: your guardians' authority has ended, and from now on you decide who may use your data.`, 'ok');
        await render(state);
      } catch (err) {
        say(refusalText(err), 'error');
      }
    },
  },
  h('h3', { id: 'claim-heading' }, 'Claim your own record (at majority)'),
  h('p', {}, 'From your majority month on, you take over from your guardians. It needs two things: the biobank that holds your sample verifies you in person and attests this account, and you give the claim secret your guardians kept for you. Neither is enough alone.'),
  field('Sample id', sample, 'The number of your sample, as the biobank or your guardians gave it to you.'),
  field('Claim secret (the words your guardians kept)', secret, 'Surrounding spaces and line breaks are ignored. It never leaves this page: only a signature made with it, naming this account, is sent.'),
  field('Or the file the claim secret is in', file),
  h('button', { type: 'submit' }, 'Claim majority'));
}

// ------------------------------------------------------------------ researcher

async function renderResearcher(state: AppState, into: HTMLElement) {
  const account = state.account!;
  const [grants, receipts] = await Promise.all([indexer.granteeGrants(account.address), indexer.granteeReceipts(account.address)]);
  into.append(
    h('h2', { id: 'view-heading' }, 'Your grants as a researcher'),
    table('Grants held by this account', ['Grant', 'Sample', 'Covers', 'Purpose', 'Ends', 'State'],
      grants.map((g) => [String(g.id), String(g.sample), `record ${g.scope} and what derives from it`, describePurpose(g.purpose), localTime(g.expires_at), stateBadge(g.state)]),
      'No grants are held by this account.'),
    h('h3', {}, 'Your recorded accesses'),
    table('Accesses data hosts recorded for this account', ['When', 'Record', 'Purpose', 'Under grant(s)'],
      receipts.map((r) => [localTime(r.at.time), String(r.record), describePurpose(r.purpose), r.grants.join(', ')]), 'No recorded accesses.'),
    checkForm(state, account.address),
    await lineageExplorer(state),
  );
}

function checkForm(state: AppState, grantee: string): HTMLElement {
  const record = h('input', { type: 'number', min: '1', step: '1', required: true, inputmode: 'numeric' });
  const picker = purposePicker('Purpose of the use (GA4GH DUO)');
  const answer = h('div', { class: 'answer', 'aria-live': 'polite', 'data-testid': 'check-answer' });
  return h('form', {
    class: 'check-access',
    'aria-labelledby': 'check-heading',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const purpose = picker.value();
      if (typeof purpose === 'string') return say(purpose, 'error');
      answer.textContent = 'Asking the consent contract…';
      try {
        const r = await state.chain.checkAccess(grantee, Number(record.value), purpose);
        answer.dataset.allowed = String(r.allowed);
        answer.textContent = r.allowed
          ? `Yes: you may use record ${record.value} for ${purposeText(purpose)} now, under grant${r.grants.length > 1 ? 's' : ''} ${r.grants.join(', ')} (one per sample the record derives from).`
          : `No: ${r.refusal.names[r.refusal.names.length - 1]} — ${r.refusal.words}`;
      } catch (err) {
        answer.dataset.allowed = 'error';
        answer.textContent = `Could not ask: ${refusalText(err)}`;
      }
    },
  },
  h('h3', { id: 'check-heading' }, 'May I use a record now?'),
  field('Record id', record),
  picker.element,
  h('button', { type: 'submit' }, 'Check access'),
  answer);
}

// ------------------------------------------------------------------ lineage explorer

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const andList = (xs: string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * Any record's lineage, walked one record at a time: the record (kind, samples,
 * registration time, status), its parents and children as buttons that move
 * the explorer to them, and a picture of its ancestors and descendants.
 */
async function lineageExplorer(state: AppState): Promise<HTMLElement> {
  const record = h('input', { type: 'number', min: '1', step: '1', required: true, inputmode: 'numeric' });
  const depth = h('select', {}, ...[1, 2, 3, 8].map((d) =>
    h('option', { value: String(d), selected: (state.explore?.depth ?? 2) === d }, d === 8 ? 'all (up to 8)' : String(d))));
  const result = h('div', { class: 'explore-result' });
  const show = async (id: number, moveFocus: boolean) => {
    state.explore = { record: id, depth: Number(depth.value) };
    record.value = String(id);
    result.setAttribute('aria-busy', 'true');
    try {
      result.replaceChildren(await exploreView(id, state.explore.depth, (next) => show(next, true)));
    } catch (err) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'explore-error' }, `Cannot show record ${id}: ${refusalText(err)}`));
    }
    result.setAttribute('aria-busy', 'false');
    if (moveFocus) result.querySelector<HTMLElement>('[data-explore-heading]')?.focus();
  };
  const element = h('section', { class: 'explorer', 'aria-labelledby': 'explore-heading' },
    h('h3', { id: 'explore-heading' }, 'Lineage explorer'),
    h('p', {}, 'Look up any record: where it comes from, what was derived from it, and whether it may still be used. Joint records (a trio\u2019s VCF) derive from several samples at once.'),
    h('form', {
      class: 'row',
      onsubmit: (e: Event) => {
        e.preventDefault();
        show(Number(record.value), true);
      },
    },
    field('Record to explore', record),
    field('Steps to show each way', depth),
    h('button', { type: 'submit' }, 'Show lineage')),
    result);
  if (state.explore) {
    record.value = String(state.explore.record);
    await show(state.explore.record, false);
  }
  return element;
}

async function exploreView(id: number, depth: number, go: (record: number) => void): Promise<HTMLElement> {
  const [rec, graph] = await Promise.all([indexer.record(id), indexer.neighbourhood(id, depth)]);
  const byRecord = new Map(graph.nodes.map((n) => [n.record, n]));
  const parentsOf = new Map<string, string[]>();
  for (const e of graph.edges) parentsOf.set(e.destination, [...(parentsOf.get(e.destination) ?? []), e.origin]);
  const link = (r: number) => {
    const n = byRecord.get(r);
    return h('button', { type: 'button', class: 'link', 'data-record': String(r), onclick: () => go(r) },
      `record ${r}${n ? `: ${kindLabel(n.kind)}` : ''}`);
  };
  const links = (label: string, rs: number[], none: string) =>
    rs.length ? h('ul', { class: 'links', 'aria-label': label }, ...rs.map((r) => h('li', {}, link(r)))) : h('span', {}, none);
  const status: (Node | string)[] = [h('span', { class: `badge status-${rec.status}` }, rec.status)];
  if (rec.withdrawn) {
    status.push(` ${localTime(rec.withdrawn.at.time)} by the ${rec.withdrawn.authority}`,
      rec.withdrawn.through !== id ? `, through record ${rec.withdrawn.through} it derives from` : '');
  }
  if (rec.superseded_by) status.push(` by record ${rec.superseded_by.record} on ${localTime(rec.superseded_by.at.time)}: use that one`);
  if (rec.supersedes != null) status.push(` (it replaces record ${rec.supersedes})`);
  const samples = rec.samples.length > 1
    ? `joint record of ${rec.samples.length} samples: ${andList(rec.samples.map(String))}`
    : rec.kind === 'sample' ? 'this is the sample itself' : `sample ${rec.samples[0]}`;
  const row = (term: string, ...desc: (Node | string | null)[]) => [h('dt', {}, term), h('dd', {}, ...desc)];

  const generations = new Map<number, LineageNode[]>();
  for (const n of graph.nodes) generations.set(n.distance, [...(generations.get(n.distance) ?? []), n]);
  const columns = [...generations.keys()].sort((a, b) => a - b).map((d) =>
    h('li', { class: 'generation' },
      h('span', { class: 'sr-only' }, d === 0 ? 'The record: ' : d < 0 ? `${plural(-d, 'step')} before it: ` : `${plural(d, 'step')} after it: `),
      h('ul', {}, ...generations.get(d)!.sort((a, b) => a.record - b.record).map((n) => {
        const from = (parentsOf.get(n.id) ?? []).map((p) => p.replace(/^record:/, ''));
        return h('li', { class: `node status-${n.status}${d === 0 ? ' focus' : ''}`, 'data-record': String(n.record) },
          d === 0
            ? h('strong', { 'aria-current': 'true' }, `${kindLabel(n.kind)} · record ${n.record}`)
            : h('button', { type: 'button', class: 'link', onclick: () => go(n.record) }, `${kindLabel(n.kind)} · record ${n.record}`),
          h('br'), h('span', { class: 'when' }, localTime(n.registered.time)),
          h('br'), h('span', { class: `badge status-${n.status}` }, n.status),
          n.samples.length > 1 ? h('span', { class: 'joint' }, h('br'), `joint: samples ${n.samples.join(', ')}`) : null,
          from.length > 1 ? h('span', { class: 'joint' }, h('br'), `from records ${from.join(', ')}`) : null);
      }))));

  return h('article', { class: 'explored', 'aria-labelledby': `explore-record-${id}` },
    h('h4', { id: `explore-record-${id}`, tabindex: '-1', 'data-explore-heading': '' }, `Record ${id}: ${kindLabel(rec.kind)}`),
    h('dl', { class: 'facts' },
      ...row('Kind', kindLabel(rec.kind)),
      ...row('Samples', samples),
      ...row('Registered', `${localTime(rec.registered.time)} (block ${rec.registered.block}), by `, who(rec.registered_by)),
      ...row('Status', ...status),
      ...row(`Derives from (${rec.parents.length})`, links(`Parents of record ${id}`, rec.parents, 'nothing: a sample is where a lineage starts')),
      ...row(`Derived into (${rec.children.length})`, links(`Children of record ${id}`, rec.children, 'nothing yet'))),
    h('figure', { class: 'lineage' },
      h('ol', { class: 'generations', 'aria-label': `Lineage around record ${id}, from its ancestors to its descendants, ${plural(depth, 'step')} each way` }, ...columns),
      h('figcaption', {}, 'Each column is one processing step: the record itself has the thick border, its ancestors are to the left and what derives from it to the right. Choose a record to walk there.')));
}

// ------------------------------------------------------------------ shell

async function render(state: AppState) {
  for (const b of navButtons) b.setAttribute('aria-pressed', String(b.dataset.view === state.view));
  const into = h('div', {});
  viewEl.replaceChildren(into);
  viewEl.setAttribute('aria-busy', 'true');
  if (!state.account) {
    into.append(h('h2', { id: 'view-heading' }, state.view === 'guardian' ? 'Guardian or subject' : 'Researcher'), h('p', {}, 'Sign in with an account first.'));
    // The lineage explorer reads only what the indexer serves to anyone.
    if (state.view === 'researcher') into.append(await lineageExplorer(state).catch((err) => h('p', { class: 'error', role: 'alert' }, refusalText(err))));
  } else {
    try {
      await (state.view === 'guardian' ? renderGuardian(state, into) : renderResearcher(state, into));
      into.append(h('button', { type: 'button', class: 'refresh', onclick: () => render(state) }, 'Refresh'));
    } catch (err) {
      into.append(h('p', { class: 'error', role: 'alert' }, refusalText(err)));
    }
  }
  viewEl.setAttribute('aria-busy', 'false');
}

async function main() {
  say('Connecting to the indexer and the chain…');
  let deployment: Deployment;
  let chain: Chain;
  try {
    deployment = await indexer.deployment();
    chain = await Chain.connect(deployment);
  } catch (err) {
    say(`Cannot start: ${refusalText(err)}`, 'error');
    return;
  }
  const extension = await extensionAccounts().catch(() => [] as Account[]);
  const state: AppState = { deployment, chain, account: null, view: location.hash === '#researcher' ? 'researcher' : 'guardian', explore: null };
  for (const b of navButtons) {
    b.addEventListener('click', () => {
      state.view = b.dataset.view as AppState['view'];
      history.replaceState(null, '', `#${state.view}`);
      render(state);
    });
  }
  renderAccount(state, extension);
  await render(state);
  document.body.dataset.ready = 'true';
  say(`Connected to ${deployment.endpoint} (chain ${deployment.genesis_hash.slice(0, 10)}…; contracts checked against their metadata).`, 'ok');
}

main();
