// Writes a raw chain spec for one of the runtime's genesis presets, or the
// runtime as code for a `system.setCode` upgrade.
//
//   node gen-spec.mjs <runtime.wasm> <preset> <out.json>
//   node gen-spec.mjs <runtime.wasm> --upgrade <out.wasm>
//
// The genesis code is the linked runtime without its `name` (debug symbol)
// section, zstd-compressed in Substrate's compressed-blob format (an 8-byte
// magic prefix, then a zstd frame), as substrate-wasm-builder's
// `.compact.compressed.wasm` would be; Substrate nodes and chopsticks
// (smoldot) decompress it. It needs the `zstd` command.
//
// It runs the runtime itself, in chopsticks' wasm executor (no node needed):
// `GenesisBuilder_get_preset(Some(preset))` returns the preset's complete
// genesis config as JSON bytes, which go unchanged into
// `GenesisBuilder_build_state` against empty storage; the storage that call
// writes, plus `:code` (the wasm), is the raw genesis. The JSON is never
// parsed here, so u128 balances never pass through JavaScript numbers.
// Output is deterministic: keys are sorted, and nothing depends on time.

import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import {
  destroyWorker,
  getRuntimeVersion,
  runTask,
} from '@acala-network/chopsticks-core';
import {
  compactAddLength,
  compactFromU8a,
  hexToU8a,
  stringToU8a,
  u8aConcat,
  u8aToHex,
  u8aToString,
} from '@polkadot/util';

/** Chain-spec metadata per preset; the genesis itself comes from the runtime. */
const CHAINS = {
  dev: { name: 'BioNFT Dev', id: 'bionft_dev', chainType: 'Development' },
  consortium: { name: 'BioNFT Consortium', id: 'bionft_consortium', chainType: 'Live' },
};
const PROPERTIES = { ss58Format: 42, tokenDecimals: 12, tokenSymbol: 'BIO' };
const CODE_KEY = u8aToHex(stringToU8a(':code'));

/** sp-maybe-compressed-blob's marker for a zstd-compressed blob. */
const ZSTD_PREFIX = Uint8Array.from([82, 188, 83, 118, 70, 219, 142, 5]);

function fail(message) {
  console.error(`gen-spec: ${message}`);
  process.exit(1);
}

/** Reads an unsigned LEB128 number at `offset`; returns [value, next offset]. */
function leb128(bytes, offset) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, offset];
    shift += 7;
  }
}

/** The wasm module without its custom `name` section (symbol names only). */
function withoutNames(wasm) {
  const kept = [wasm.subarray(0, 8)];
  for (let offset = 8; offset < wasm.length; ) {
    const [size, body] = leb128(wasm, offset + 1);
    const end = body + size;
    let isNames = false;
    if (wasm[offset] === 0) {
      const [nameLength, name] = leb128(wasm, body);
      isNames = u8aToString(wasm.subarray(name, name + nameLength)) === 'name';
    }
    if (!isNames) kept.push(wasm.subarray(offset, end));
    offset = end;
  }
  return u8aConcat(...kept);
}

/** The runtime as genesis code: without symbol names, zstd-compressed. */
function genesisCode(wasm) {
  const zstd = spawnSync('zstd', ['-19', '-q', '-c'], { input: withoutNames(wasm), maxBuffer: 1 << 28 });
  if (zstd.error || zstd.status !== 0) {
    fail(`zstd failed (is the zstd package installed?): ${zstd.error ?? zstd.stderr}`);
  }
  return u8aConcat(ZSTD_PREFIX, zstd.stdout);
}

/** Calls one runtime API function on `storage` (a Map of hex key → hex value). */
async function call(wasm, method, args, storage = new Map()) {
  const keys = () => [...storage.keys()].sort();
  const response = await runTask(
    {
      wasm,
      calls: [[method, args.map((a) => u8aToHex(a))]],
      mockSignatureHost: false,
      allowUnresolvedImports: false,
      runtimeLogLevel: 1,
    },
    {
      getStorage: async (key) => storage.get(key),
      getNextKey: async (prefix, key) =>
        keys().find((k) => k.startsWith(prefix) && k > key),
      offchainGetStorage: async () => undefined,
      offchainTimestamp: async () => 0,
      offchainRandomSeed: async () => u8aToHex(new Uint8Array(32)),
      offchainSubmitTransaction: async () => false,
    },
  );
  if ('Error' in response) fail(`${method} failed: ${response.Error}`);
  for (const log of response.Call.runtimeLogs) console.error(`runtime: ${log.message}`);
  return response.Call;
}

/** SCALE `Option<Vec<u8>>` → bytes or null. */
function decodeOptionBytes(u8a) {
  if (u8a[0] === 0) return null;
  const [offset, length] = compactFromU8a(u8a.subarray(1));
  return u8a.subarray(1 + offset, 1 + offset + length.toNumber());
}

/** SCALE `Result<(), String>` → error text or null. */
function decodeResult(u8a) {
  if (u8a[0] === 0) return null;
  const [offset, length] = compactFromU8a(u8a.subarray(1));
  return u8aToString(u8a.subarray(1 + offset, 1 + offset + length.toNumber()));
}

/** Writes `bytes` to `path` through a temporary file, so a failure leaves nothing half-written. */
function writeAtomically(path, bytes) {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

const [wasmPath, preset, outPath] = process.argv.slice(2);
if (!outPath) {
  fail('usage: node gen-spec.mjs <runtime.wasm> <preset> <out.json> | <runtime.wasm> --upgrade <out.wasm>');
}
const chain = CHAINS[preset];
if (!chain && preset !== '--upgrade') {
  fail(`unknown preset "${preset}" (known: ${Object.keys(CHAINS).join(', ')}, or --upgrade)`);
}

const linked = readFileSync(wasmPath);
const code = genesisCode(linked);
const wasm = u8aToHex(code);
try {
  const version = await getRuntimeVersion(wasm);
  if (preset === '--upgrade') {
    // The same compressed code a spec's `:code` holds, as `system.setCode` takes it.
    writeAtomically(outPath, code);
    console.error(`gen-spec: ${outPath}: ${version.specName} v${version.specVersion}, ${code.length} bytes of code`);
  } else {
    await writeSpec(version);
  }
} finally {
  await destroyWorker();
}

/** Builds `preset`'s genesis in the runtime and writes the raw spec to `outPath`. */
async function writeSpec(version) {
  const presetArg = u8aConcat([1], compactAddLength(stringToU8a(preset)));
  const got = await call(wasm, 'GenesisBuilder_get_preset', [presetArg]);
  const config = decodeOptionBytes(hexToU8a(got.result));
  if (!config) fail(`the runtime has no "${preset}" preset`);

  const built = await call(wasm, 'GenesisBuilder_build_state', [compactAddLength(config)]);
  const error = decodeResult(hexToU8a(built.result));
  if (error) fail(`GenesisBuilder_build_state refused the "${preset}" preset: ${error}`);

  const top = new Map(built.storageDiff.filter(([, v]) => v !== null));
  top.set(CODE_KEY, wasm);
  const spec = {
    ...chain,
    bootNodes: [],
    telemetryEndpoints: null,
    protocolId: 'bionft',
    properties: PROPERTIES,
    codeSubstitutes: {},
    genesis: {
      raw: {
        top: Object.fromEntries([...top.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
        childrenDefault: {},
      },
    },
  };
  writeAtomically(outPath, `${JSON.stringify(spec, null, 2)}\n`);
  console.error(
    `gen-spec: ${outPath}: ${version.specName} v${version.specVersion}, preset "${preset}", ` +
      `${top.size} storage keys, runtime ${linked.length} bytes linked, ${code.length} bytes as genesis code`,
  );
}
