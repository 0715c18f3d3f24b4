// Consortium governance over JSON-RPC: the chain's sudo key is the
// `governance_threshold`-of-N multisig account of the biobanks in a
// consortium.json (chain-spec/consortium.json's format), so every governance
// act is a multisig proposal that the members approve one by one.
//
//   node governance.mjs <ws endpoint> <consortium.json> <keys file> approve add-member <account>
//   node governance.mjs <ws endpoint> <consortium.json> <keys file> approve set-code <runtime code file>
//   node governance.mjs <ws endpoint> <consortium.json> <keys file> approve contract-call <metadata.json> <address> <message> [JSON args…]
//   node governance.mjs <ws endpoint> <consortium.json> <keys file> check <contract.wasm>
//
// The keys file holds secret URIs of members, one per line (secrets never go
// on the command line). In production each biobank runs `approve` with a file
// holding its own key only; every approver builds the proposal from the same
// inputs, so it approves exactly the call it has read (its hash is printed).
//
// approve: each key in turn approves the proposal (`multisig.approveAsMulti`
// with the call's hash); the approval that reaches the threshold submits the
// call itself (`multisig.asMulti`) and executes it. The proposals:
// - add-member: `sudo.sudo(consortium.add_member(account))`, which lets the
//   account upload and instantiate contract code;
// - set-code: `sudo.sudoUncheckedWeight(system.setCode(code))`, a runtime
//   upgrade (the code as a spec's `:code` holds it: `scripts/build-chain-spec.sh`
//   writes one). The runtime refuses code whose spec_version is not higher.
// - contract-call: a message of a BioNFT contract sent by the multisig account
//   itself (no sudo), for contracts whose admin is the multisig (`bionft
//   governance transfer-admin --to <multisig>`): e.g. `set_paused true`. The
//   call is built from the contract's own metadata (target/ink/<name>/<name>.json)
//   and dry-run as the multisig first, so a call the contract would refuse
//   (`NotAdmin`, …) is never proposed.
//
// check: what the network tests assert, on a chain whose sudo key is the
// multisig (the keys file must hold at least the threshold's worth of
// members): a member's own `sudo.sudo` is refused; a proposal to admit a
// newcomer stays pending and admits nobody until the last approval, which
// executes it; the newcomer's upload of <contract.wasm> then works, and a
// non-member's is refused.
//
// Everything runs against the real runtime; exits non-zero on the first
// failure (approve) or after any failed check (check).

import { readFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { ContractPromise } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { createKeyMulti, cryptoWaitReady, encodeAddress, sortAddresses } from '@polkadot/util-crypto';
import { explain as explainError, submit as submitTx } from './tx.mjs';

const USAGE = `usage:
  governance.mjs <ws endpoint> <consortium.json> <keys file> approve add-member <account>
  governance.mjs <ws endpoint> <consortium.json> <keys file> approve set-code <runtime code file>
  governance.mjs <ws endpoint> <consortium.json> <keys file> approve contract-call <metadata.json> <address> <message> [JSON args…]
  governance.mjs <ws endpoint> <consortium.json> <keys file> check <contract.wasm>`;

function usage(message) {
  console.error(`governance: ${message}\n${USAGE}`);
  process.exit(2);
}

const [endpoint, consortiumFile, keysFile, command, ...rest] = process.argv.slice(2);
if (!command) usage('missing arguments');
const PROPOSALS = { 'add-member': [2, 2], 'set-code': [2, 2], 'contract-call': [4, Infinity] };
if (command === 'approve') {
  const arity = PROPOSALS[rest[0]];
  if (!arity) usage(`approve needs add-member, set-code or contract-call, not "${rest[0] ?? ''}"`);
  if (rest.length < arity[0] || rest.length > arity[1]) usage(`wrong arguments for approve ${rest[0]}`);
}
if (command === 'check' && rest.length !== 1) usage('check takes the contract wasm to upload');
if (!['approve', 'check'].includes(command)) usage(`unknown command "${command}"`);

const consortium = JSON.parse(readFileSync(consortiumFile, 'utf8'));
const threshold = consortium.governance_threshold;
const signatories = consortium.biobanks.map((b) => b.account);
const uris = readFileSync(keysFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519' });
const keys = uris.map((u) => keyring.addFromUri(u));
for (const k of keys) {
  if (!signatories.includes(k.address)) {
    console.error(`governance: key ${k.address} is not one of the consortium's biobanks`);
    process.exit(1);
  }
}
const multisig = encodeAddress(createKeyMulti(signatories, threshold), 42);
const api = await ApiPromise.create({ provider: new WsProvider(endpoint), noInitWarn: true });

const explain = (dispatchError) => explainError(api, dispatchError);
const submit = (tx, signer) => submitTx(api, tx, signer);

const MAX_WEIGHT = { refTime: 10_000_000_000n, proofSize: 1_000_000n };

/**
 * One member's approval of `proposal` (a sudo call). Returns
 * { executed, error, result } where `result` is the proposal's own dispatch
 * error (or null) once executed.
 */
async function approve(proposal, signer) {
  const others = sortAddresses(signatories.filter((a) => a !== signer.address), 42);
  const pending = await api.query.multisig.multisigs(multisig, proposal.method.hash);
  const approvals = pending.isSome ? pending.unwrap().approvals.length : 0;
  const timepoint = pending.isSome ? pending.unwrap().when : null;
  const last = approvals + 1 >= threshold;
  const tx = last
    ? api.tx.multisig.asMulti(threshold, others, timepoint, proposal.method, MAX_WEIGHT)
    : api.tx.multisig.approveAsMulti(threshold, others, timepoint, proposal.method.hash, MAX_WEIGHT);
  const { events, error } = await submit(tx, signer);
  const executed = events.find((e) => api.events.multisig.MultisigExecuted.is(e));
  const sudid = events.find((e) => api.events.sudo.Sudid.is(e));
  let result = null;
  if (executed && executed.data.result.isErr) result = explain(executed.data.result.asErr);
  else if (sudid && sudid.data.sudoResult.isErr) result = explain(sudid.data.sudoResult.asErr);
  return { approvals: approvals + 1, executed: Boolean(executed), error, result };
}

/** Every key in turn approves `proposal`; stops once it executed. */
async function approveAll(proposal, what) {
  console.log(`proposal: ${what}; call hash ${proposal.method.hash.toHex()}; ${threshold} of ${signatories.length} approvals execute it`);
  for (const key of keys) {
    const outcome = await approve(proposal, key);
    if (outcome.error) throw new Error(`${key.address}'s approval failed: ${outcome.error}`);
    if (!outcome.executed) {
      console.log(`approval ${outcome.approvals} of ${threshold} recorded (${key.address})`);
      continue;
    }
    if (outcome.result) throw new Error(`executed, but the proposal failed: ${outcome.result}`);
    console.log(`approval ${outcome.approvals} of ${threshold} executed the proposal (${key.address})`);
    return true;
  }
  console.log('not executed yet: more approvals are needed');
  return false;
}

/** `snake_case` → `camelCase`, as @polkadot/api-contract names messages. */
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/**
 * A contract message as the multisig account would send it: [proposal, what].
 * Dry-run as the multisig first; refuses what the contract would refuse.
 */
async function contractCall(metadataFile, address, message, ...jsonArgs) {
  const contract = new ContractPromise(api, JSON.parse(readFileSync(metadataFile, 'utf8')), address);
  const name = camel(message);
  if (!contract.tx[name]) throw new Error(`the contract has no message ${message}`);
  const args = jsonArgs.map((a) => JSON.parse(a));
  // The dry run may use a whole block (api-contract's default limit has no proof size).
  const dryLimit = { gasLimit: api.consts.system.blockWeights.maxBlock, storageDepositLimit: null };
  const dry = await contract.query[name](multisig, dryLimit, ...args);
  if (dry.result.isErr) throw new Error(`the dry run failed: ${explain(dry.result.asErr)}`);
  const output = dry.output?.toJSON();
  const refusal = output?.ok?.err ?? output?.err;
  if (dry.result.asOk.flags.isRevert || refusal) {
    throw new Error(`the contract would refuse ${message} from the multisig: ${JSON.stringify(refusal ?? output)}`);
  }
  // A margin over the dry run's gas, as the bionft CLI allows.
  const gasLimit = api.registry.createType('WeightV2', {
    refTime: (dry.gasRequired.refTime.toBigInt() * 3n) / 2n,
    proofSize: (dry.gasRequired.proofSize.toBigInt() * 3n) / 2n,
  });
  const proposal = contract.tx[name]({ gasLimit, storageDepositLimit: null }, ...args);
  return [proposal, `${message}(${jsonArgs.join(', ')}) on ${address}, sent by the multisig ${multisig}`];
}

async function runApprove(kind, arg) {
  const sudoKey = (await api.query.sudo.key()).unwrap().toString();
  if (sudoKey !== multisig) {
    throw new Error(`the chain's sudo key ${sudoKey} is not this consortium's ${threshold}-of-${signatories.length} multisig ${multisig}`);
  }
  if (kind === 'add-member') {
    await approveAll(api.tx.sudo.sudo(api.tx.consortium.addMember(arg)), `admit ${arg}`);
    return;
  }
  if (kind === 'contract-call') {
    await approveAll(...(await contractCall(...rest.slice(1))));
    return;
  }
  const code = readFileSync(arg);
  const before = api.runtimeVersion.specVersion.toNumber();
  const proposal = api.tx.sudo.sudoUncheckedWeight(api.tx.system.setCode(u8aToHex(code)), { refTime: 0, proofSize: 0 });
  if (await approveAll(proposal, `runtime upgrade from spec_version ${before} to ${arg} (${code.length} bytes)`)) {
    console.log('the new runtime takes effect from the next block');
  }
}

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
  return ok;
}

async function runCheck(wasmFile) {
  if (keys.length < threshold) throw new Error(`check needs at least ${threshold} members' keys, got ${keys.length}`);
  const members = keys.slice(0, threshold);
  const newcomer = keyring.addFromUri('//bionft//governance-check//newcomer');
  const outsider = keyring.addFromUri('//bionft//governance-check//outsider');
  const isMember = async (who) => (await api.query.consortium.members(who)).isSome;
  const sudoKey = (await api.query.sudo.key()).unwrap().toString();
  check(sudoKey === multisig, `the sudo key ${sudoKey} is the ${threshold}-of-${signatories.length} multisig of the members`);
  check(!(await isMember(newcomer.address)), 'the newcomer is not a member yet');

  const proposal = api.tx.sudo.sudo(api.tx.consortium.addMember(newcomer.address));
  const alone = await submit(proposal, members[0]);
  check(alone.error === 'sudo.RequireSudo', `one member's own sudo is refused (${alone.error})`);

  for (let i = 0; i < threshold; i += 1) {
    const outcome = await approve(proposal, members[i]);
    if (i < threshold - 1) {
      check(!outcome.error && !outcome.executed, `approval ${i + 1} of ${threshold} is recorded`);
      check(!(await isMember(newcomer.address)), `after ${i + 1} of ${threshold} approvals nobody is admitted`);
    } else {
      check(!outcome.error && outcome.executed && !outcome.result, `approval ${threshold} of ${threshold} executes the proposal`);
      check(await isMember(newcomer.address), 'the newcomer is a member');
    }
  }

  // Both need funds for fees and the code's storage deposit; only membership differs.
  const fund = 10n ** 15n;
  for (const who of [newcomer, outsider]) {
    const funded = await submit(api.tx.balances.transferKeepAlive(who.address, fund), members[0]);
    if (funded.error) throw new Error(`funding ${who.address} failed: ${funded.error}`);
  }
  const code = u8aToHex(readFileSync(wasmFile));
  const upload = (who) => submit(api.tx.contracts.uploadCode(code, null, 'Enforced'), who);
  const refused = await upload(outsider);
  check(refused.error === 'BadOrigin', `a non-member's upload is refused (${refused.error})`);
  const stored = await upload(newcomer);
  check(!stored.error && stored.events.some((e) => api.events.contracts.CodeStored.is(e)),
    `the new member's upload works (${stored.error ?? 'contracts.CodeStored'})`);
}

try {
  if (command === 'approve') await runApprove(rest[0], rest[1]);
  else await runCheck(rest[0]);
} catch (e) {
  console.error(`governance: ${e.message}`);
  failures += 1;
} finally {
  await api.disconnect();
}
if (failures) {
  console.error(`governance: ${failures} failure(s)`);
  process.exit(1);
}
if (command === 'check') console.log('governance: all checks passed');
