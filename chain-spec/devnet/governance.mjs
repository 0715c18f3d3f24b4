// Governance is a threshold of the consortium's members: a check against a
// running chain with the `consortium` runtime (a `scripts/network.sh`
// network, or `scripts/devnet.sh start --spec consortium`). Everything runs
// over JSON-RPC against the real runtime; nothing is mocked.
//
//   node chain-spec/devnet/governance.mjs <ws endpoint> <threshold> <keys file>
//
// The keys file holds one biobank account's secret URI per line (the members
// whose multisig account is the sudo key); secrets never go on the command
// line. The check: a member's own `sudo.sudo` is refused (it is not the sudo
// key); one member's `multisig.asMulti(sudo.sudo(consortium.add_member))`
// leaves the proposal pending and admits nobody; each further approval up to
// the threshold keeps it pending until the last, which executes it and the
// newcomer becomes a member. Exits non-zero on the first failure.

import { readFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { createKeyMulti, cryptoWaitReady, encodeAddress, sortAddresses } from '@polkadot/util-crypto';

const [endpoint, thresholdText, keysFile] = process.argv.slice(2);
if (!endpoint || !thresholdText || !keysFile) {
  console.error('usage: governance.mjs <ws endpoint> <threshold> <keys file: one secret URI per line>');
  process.exit(2);
}
const threshold = Number(thresholdText);
const uris = readFileSync(keysFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
  return ok;
}

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519' });
const members = uris.map((u) => keyring.addFromUri(u));
const newcomer = keyring.addFromUri('//bionft//governance-check//newcomer').address;
const api = await ApiPromise.create({ provider: new WsProvider(endpoint), noInitWarn: true });

/** `Pallet.Error` for module errors, else the error's kind. */
function explain(dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.type;
}

/** Signs, submits and waits for finality; resolves to the events and the dispatch error, if any. */
function submit(tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isFinalized) {
        unsubscribe();
        resolve({ events: events.map((r) => r.event), error: dispatchError ? explain(dispatchError) : null });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        unsubscribe();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsubscribe = u; }, reject);
  });
}

const isMember = async (who) => (await api.query.consortium.members(who)).isSome;
const sudoKey = (await api.query.sudo.key()).unwrap().toString();
const multisig = encodeAddress(createKeyMulti(members.map((m) => m.address), threshold), 42);
check(sudoKey === multisig, `the sudo key ${sudoKey} is the ${threshold}-of-${members.length} multisig of the members`);
check(!(await isMember(newcomer)), 'the newcomer is not a member yet');

const proposal = api.tx.sudo.sudo(api.tx.consortium.addMember(newcomer));
const alone = await submit(proposal, members[0]);
check(alone.error === 'sudo.RequireSudo', `one member's own sudo is refused (${alone.error})`);

const maxWeight = { refTime: 10_000_000_000n, proofSize: 1_000_000n };
const callHash = proposal.method.hash;
for (let i = 0; i < threshold; i += 1) {
  const signer = members[i];
  const others = sortAddresses(members.filter((m) => m !== signer).map((m) => m.address), 42);
  const pending = await api.query.multisig.multisigs(multisig, callHash);
  const timepoint = pending.isSome ? pending.unwrap().when : null;
  const { events, error } = await submit(api.tx.multisig.asMulti(threshold, others, timepoint, proposal.method, maxWeight), signer);
  const last = i === threshold - 1;
  if (!last) {
    check(!error && events.some((e) => api.events.multisig.NewMultisig.is(e) || api.events.multisig.MultisigApproval.is(e)),
      `approval ${i + 1} of ${threshold} is recorded`);
    check(!(await isMember(newcomer)), `after ${i + 1} of ${threshold} approvals nobody is admitted`);
  } else {
    const executed = events.find((e) => api.events.multisig.MultisigExecuted.is(e));
    check(!error && executed && executed.data.result.isOk, `approval ${threshold} of ${threshold} executes the proposal`);
    check(events.some((e) => api.events.consortium.MemberAdded.is(e)) && (await isMember(newcomer)), 'the newcomer is a member');
  }
}

await api.disconnect();
if (failures) {
  console.error(`governance: ${failures} check(s) failed`);
  process.exit(1);
}
console.log('governance: all checks passed');
