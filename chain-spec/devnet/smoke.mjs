// Smoke test of a running dev chain (scripts/devnet.sh) with the real
// biosample contract bundle. Every check runs over JSON-RPC against the real
// runtime; nothing is mocked.
//
//   node chain-spec/devnet/smoke.mjs [ws://127.0.0.1:9944] [target/ink/biosample/biosample.contract]
//
// Run it on a fresh dev chain (each `scripts/devnet.sh start` begins at
// genesis); the bundle comes from `cargo xtask contracts`.
// It checks that: the runtime offers metadata v15 and ContractsApi v2; Alice
// (a consortium member) uploads the code and instantiates it; `grant_role`
// goes through as a transaction and `admin` / `PSP34::total_supply` read
// back through ContractsApi_call; Ferdie (not a member) can neither upload
// nor instantiate; nobody may upload `Determinism::Relaxed` code; membership
// changes only through governance (sudo); every block is finalized at once
// and each carries a later timestamp. Exits non-zero on the first failure.

import { readFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Abi } from '@polkadot/api-contract';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { explain as explainError, submit as submitTx } from './tx.mjs';

const endpoint = process.argv[2] ?? 'ws://127.0.0.1:9944';
const bundlePath = process.argv[3] ?? new URL('../../target/ink/biosample/biosample.contract', import.meta.url);

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
  return ok;
}

const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'));
const abi = new Abi(bundle);
const wasm = bundle.source.wasm;
const codeHash = blake2AsHex(wasm, 256);

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519' });
const [alice, bob, ferdie] = ['//Alice', '//Bob', '//Ferdie'].map((uri) => keyring.addFromUri(uri));
const api = await ApiPromise.create({ provider: new WsProvider(endpoint), noInitWarn: true });

const explain = (dispatchError) => explainError(api, dispatchError);
const submit = (tx, signer) => submitTx(api, tx, signer);

/** Calls a message through ContractsApi_call and decodes its `MessageResult`. */
async function read(address, label, args = []) {
  const message = abi.findMessage(label);
  const out = await api.call.contractsApi.call(alice.address, address, 0, null, null, message.toU8a(args));
  if (out.result.isErr) throw new Error(`${label}: ${explain(out.result.asErr)}`);
  const value = abi.registry.createTypeUnsafe(message.returnType.lookupName || message.returnType.type, [
    out.result.asOk.data.toU8a(true),
  ]);
  return { value, flags: out.result.asOk.flags, gasRequired: out.gasRequired };
}

try {
  const version = api.runtimeVersion;
  console.log(`chain ${(await api.rpc.system.chain()).toString()}, runtime ${version.specName} v${version.specVersion}`);
  const metadataVersions = (await api.call.metadata.metadataVersions()).map((v) => v.toNumber());
  check(metadataVersions.includes(15), `metadata versions ${metadataVersions.join(', ')} include v15`);
  const contractsApi = version.apis.find(([id]) => id.eq(api.registry.createType('[u8; 8]', blake2AsHex('ContractsApi', 64))));
  check(contractsApi?.[1].toNumber() === 2, `ContractsApi version ${contractsApi?.[1]}`);

  if ((await api.query.contracts.pristineCode(codeHash)).isSome) {
    throw new Error('this chain already has the biosample code: run the smoke test on a fresh chain (scripts/devnet.sh stop; scripts/devnet.sh start)');
  }

  // A non-member cannot upload, neither in a dry run nor in a transaction.
  const dryUpload = await api.call.contractsApi.uploadCode(ferdie.address, wasm, null, 'Enforced');
  check(dryUpload.isErr && explain(dryUpload.asErr) === 'BadOrigin', `Ferdie's upload dry run is refused: ${dryUpload.isErr ? explain(dryUpload.asErr) : 'accepted'}`);
  let r = await submit(api.tx.contracts.uploadCode(wasm, null, 'Enforced'), ferdie);
  check(r.error === 'BadOrigin', `Ferdie's upload_code fails: ${r.error}`);

  // Alice, a member, uploads the code.
  r = await submit(api.tx.contracts.uploadCode(wasm, null, 'Enforced'), alice);
  const stored = r.events.find((e) => api.events.contracts.CodeStored.is(e));
  check(!r.error && stored?.data.codeHash.toHex() === codeHash, `Alice uploads biosample (${wasm.length / 2 - 1} bytes), code hash ${codeHash}`);

  // Nobody may upload code with relaxed determinism.
  r = await submit(api.tx.contracts.uploadCode(wasm, null, 'Relaxed'), alice);
  check(r.error === 'system.CallFiltered', `a Relaxed upload is filtered: ${r.error}`);

  // Alice instantiates it, admin = Alice; dry run first for the gas.
  const constructorData = abi.findConstructor('new').toU8a([alice.address]);
  const salt = '0x01';
  const dryInstantiate = await api.call.contractsApi.instantiate(alice.address, 0, null, null, { Existing: codeHash }, constructorData, salt);
  if (dryInstantiate.result.isErr) throw new Error(`instantiate dry run: ${explain(dryInstantiate.result.asErr)}`);
  const address = dryInstantiate.result.asOk.accountId.toString();
  r = await submit(api.tx.contracts.instantiate(0, dryInstantiate.gasRequired, null, codeHash, constructorData, salt), alice);
  check(!r.error && r.events.some((e) => api.events.contracts.Instantiated.is(e)), `Alice instantiates biosample at ${address}`);

  // Ferdie cannot instantiate existing code either, neither in a dry run nor in a transaction.
  const ferdieDry = await api.call.contractsApi.instantiate(ferdie.address, 0, null, null, { Existing: codeHash }, constructorData, '0x02');
  check(ferdieDry.result.isErr && explain(ferdieDry.result.asErr) === 'BadOrigin', `Ferdie's instantiate dry run is refused: ${ferdieDry.result.isErr ? explain(ferdieDry.result.asErr) : 'accepted'}`);
  r = await submit(api.tx.contracts.instantiate(0, dryInstantiate.gasRequired, null, codeHash, constructorData, '0x02'), ferdie);
  check(r.error === 'BadOrigin', `Ferdie's instantiate fails: ${r.error}`);

  // Reads through ContractsApi_call.
  const admin = await read(address, 'Lineage::admin');
  check(admin.value.isOk && admin.value.asOk.toString() === alice.address, `admin() = ${admin.value.toHuman()?.Ok}`);
  const supply = await read(address, 'PSP34::total_supply');
  check(supply.value.isOk && supply.value.asOk.toString() === '0', `PSP34::total_supply() = ${supply.value.asOk.toString()}`);

  // grant_role: dry run, then the transaction, then read the role back.
  const grantData = abi.findMessage('grant_role').toU8a([bob.address, 'Biobank']);
  const dryGrant = await api.call.contractsApi.call(alice.address, address, 0, null, null, grantData);
  check(dryGrant.result.isOk && !dryGrant.result.asOk.flags.isRevert, `grant_role(Bob, Biobank) dry run succeeds, gas ${dryGrant.gasRequired.refTime.toString()} ref-time`);
  r = await submit(api.tx.contracts.call(address, 0, dryGrant.gasRequired, null, grantData), alice);
  check(!r.error && r.events.some((e) => api.events.contracts.ContractEmitted.is(e)), 'grant_role(Bob, Biobank) emits its event');
  const hasRole = await read(address, 'Lineage::has_role', [bob.address, 'Biobank']);
  check(hasRole.value.isOk && hasRole.value.asOk.isTrue, `Lineage::has_role(Bob, Biobank) = ${hasRole.value.asOk.toString()}`);

  // Membership changes only through governance.
  r = await submit(api.tx.consortium.addMember(ferdie.address), bob);
  check(r.error === 'BadOrigin', `Bob cannot add members directly: ${r.error}`);
  r = await submit(api.tx.sudo.sudo(api.tx.consortium.addMember(ferdie.address)), alice);
  check(!r.error && r.events.some((e) => api.events.consortium.MemberAdded.is(e)), 'governance (sudo) admits Ferdie');
  r = await submit(api.tx.contracts.instantiate(0, dryInstantiate.gasRequired, null, codeHash, constructorData, '0x03'), ferdie);
  check(!r.error, `Ferdie, now a member, instantiates: ${r.error ?? 'ok'}`);
  r = await submit(api.tx.sudo.sudo(api.tx.consortium.removeMember(ferdie.address)), alice);
  check(!r.error && r.events.some((e) => api.events.consortium.MemberRemoved.is(e)), 'governance (sudo) removes Ferdie');

  // Finality and time: an empty block, then compare heads and timestamps.
  await api.rpc('dev_newBlock', { count: 1 });
  const best = await api.rpc.chain.getHeader();
  const finalized = await api.rpc.chain.getFinalizedHead();
  check(best.hash.eq(finalized), `best block #${best.number} is finalized`);
  const times = [];
  for (let n = Math.max(1, best.number.toNumber() - 3); n <= best.number.toNumber(); n += 1) {
    const hash = await api.rpc.chain.getBlockHash(n);
    times.push((await api.query.timestamp.now.at(hash)).toNumber());
  }
  const steps = times.slice(1).map((t, i) => t - times[i]);
  check(steps.every((s) => s > 0), `timestamps advance per block: ${times.map((t) => new Date(t).toISOString()).join(', ')}`);
} catch (error) {
  check(false, error.stack ?? String(error));
} finally {
  await api.disconnect();
}
console.log(failures ? `${failures} check(s) failed` : 'smoke: all checks passed');
process.exit(failures ? 1 : 0);
