// Serves a raw chain spec as a local chain: chopsticks' block builder and
// JSON-RPC server (WebSocket and HTTP) on one port, a block per transaction,
// every block final at once. scripts/devnet.sh runs it; it stops on
// SIGINT/SIGTERM.
//
//   node devnet.mjs <spec.raw.json> <port> [host=127.0.0.1]
//
// It is the `chopsticks --genesis <spec> --build-block-mode Instant` command,
// assembled from chopsticks' own modules, with two fixes for a chain that
// starts from genesis rather than forking a live one:
// - Child storage. `chopsticks --genesis` forwards reads it cannot answer
//   locally to its genesis provider, which implements no `childstate_*`
//   method, so the first read of an absent contract storage key (contract
//   storage lives in child tries) fails with "childstate_getStorage not
//   implemented". A genesis has no child tries: such reads answer "absent".
// - The first block's time. From a genesis without a timestamp, chopsticks
//   reads the wall clock twice while building block 1 (for the Aura slot in
//   the header, then for the timestamp inherent); when a slot boundary falls
//   between the reads, pallet-aura rejects the block and the chain never
//   starts. The served genesis gets `Timestamp::Now` = the start of the
//   current slot, so both come from storage and chain time starts now.
//   The spec file itself is not changed.
//
// chopsticks keeps the newest 500 blocks in memory and, without a database,
// forgets older ones: it then answers `chain_getBlockHash` for them with the
// genesis hash. BIONFT_DEVNET_MEMORY_BLOCKS=N keeps N (e.g. for the
// indexer's catch-up benchmark over thousands of blocks).

import { readFileSync } from 'node:fs';
import {
  BuildBlockMode,
  GenesisProvider,
  destroyWorker,
  getAuraSlotDuration,
  setup,
} from '@acala-network/chopsticks-core';
import { handler } from '@acala-network/chopsticks/rpc/index';
import { createServer } from '@acala-network/chopsticks/server';
import { bnToHex, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { xxhashAsU8a } from '@polkadot/util-crypto';

/** chopsticks' genesis provider, answering child-storage reads with "absent". */
class GenesisWithoutChildTries extends GenesisProvider {
  constructor(spec) {
    super(spec);
    const send = this.send;
    this.send = async (method, params, isCacheable) => {
      switch (method) {
        case 'childstate_getStorage':
          return null;
        case 'childstate_getKeysPaged':
          return [];
        case 'childstate_getStorageEntries':
          return params[1].map(() => null);
        default:
          return send(method, params, isCacheable);
      }
    };
    this.clone = () => new GenesisWithoutChildTries(spec);
  }
}

const [specPath, port, host = '127.0.0.1'] = process.argv.slice(2);
if (!port || !/^\d+$/.test(port)) {
  console.error('usage: node devnet.mjs <spec.raw.json> <port> [host]');
  process.exit(2);
}

const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const top = spec.genesis.raw.top;
const slot = await getAuraSlotDuration(top[u8aToHex(stringToU8a(':code'))]);
const nowKey = u8aToHex(u8aConcat(xxhashAsU8a('Timestamp', 128), xxhashAsU8a('Now', 128)));
top[nowKey] = bnToHex(Math.floor(Date.now() / slot) * slot, { bitLength: 64, isLe: true });

const chain = await setup({
  genesis: new GenesisWithoutChildTries(spec),
  buildBlockMode: BuildBlockMode.Instant,
  maxMemoryBlockCount: Number(process.env.BIONFT_DEVNET_MEMORY_BLOCKS ?? 500),
});
const server = await createServer(handler({ chain }), Number(port), host);
console.log(`devnet: ${spec.id} on ws://${server.addr} (block #${chain.head.number})`);

let closing = false;
async function close() {
  if (closing) return;
  closing = true;
  await server.close();
  await chain.close();
  await destroyWorker();
  process.exit(0);
}
process.on('SIGINT', close);
process.on('SIGTERM', close);
