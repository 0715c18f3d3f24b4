// The chain, through @polkadot/api and @polkadot/api-contract: every message
// is encoded from the contracts' own metadata (built by `cargo xtask
// contracts`, shipped with the app under metadata/), dry-run first, and a
// refusal is reported by the contract's error name with the words its
// metadata documents for it.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { ContractPromise } from '@polkadot/api-contract';
import type { Signer } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Codec } from '@polkadot/types/types';
import { REFUSAL_WORDS } from './errors';
import type { Deployment } from './indexer';

/** Who signs: a keystore pair unlocked here, or an extension's account. */
export type Account =
  | { kind: 'keystore'; address: string; name: string; pair: KeyringPair }
  | { kind: 'extension'; address: string; name: string; signer: Signer };

/** A contract's refusal: its error variant's name (and a nested one, e.g. `Denied` → `NoGrant`), in words. */
export class Refusal extends Error {
  constructor(
    readonly contract: string,
    readonly message_: string,
    readonly names: string[],
    readonly words: string,
  ) {
    super(`${contract}::${message_} refused: ${names.join(' → ')} — ${words}`);
  }
}

interface MetadataJson {
  source: { hash: string };
  types: { id: number; type: { path?: string[]; def: { variant?: { variants?: { name: string; docs?: string[] }[] } } } }[];
}

/** Words for each error variant, from the docs in the contract's metadata. */
function variantDocs(metadata: MetadataJson): Map<string, string> {
  const docs = new Map<string, string>();
  for (const { type } of metadata.types) {
    const last = type.path?.[type.path.length - 1] ?? '';
    if (!/Error$|AccessDenied$/.test(last)) continue;
    for (const v of type.def.variant?.variants ?? []) {
      const words = (v.docs ?? []).join(' ').trim();
      // The contract's own `Error` wins over a primitive's enum of the same variant name.
      if (words && (!docs.has(v.name) || last === 'Error')) docs.set(v.name, words);
    }
  }
  return docs;
}

/** The names along an enum value's variants: `Denied(NoGrant)` → ["Denied", "NoGrant"]. */
function variantNames(value: Codec): string[] {
  const names: string[] = [];
  let v: any = value;
  while (v && typeof v.type === 'string' && typeof v.isBasic === 'boolean') {
    names.push(v.type);
    if (v.isBasic || !v.value || v.value.isEmpty) break;
    v = v.value;
  }
  if (names.length === 0) names.push(value.toString());
  return names;
}

export class Chain {
  private constructor(
    readonly api: ApiPromise,
    readonly biosample: ContractPromise,
    readonly consent: ContractPromise,
    private readonly docs: Map<string, Map<string, string>>,
  ) {}

  /** Connects to the deployment's chain and checks that it and the metadata match what was deployed. */
  static async connect(deployment: Deployment): Promise<Chain> {
    const [biosampleMeta, consentMeta] = await Promise.all(
      ['biosample', 'consent'].map(async (name) => {
        const response = await fetch(new URL(`metadata/${name}.json`, document.baseURI));
        if (!response.ok) throw new Error(`the app has no metadata for ${name} (build it with scripts/build-web.sh)`);
        return (await response.json()) as MetadataJson;
      }),
    );
    for (const [name, meta] of [['biosample', biosampleMeta], ['consent', consentMeta]] as const) {
      if (meta.source.hash !== deployment[name].code_hash) {
        throw new Error(
          `the app's ${name} metadata is for code ${meta.source.hash}, but the deployment runs ${deployment[name].code_hash}: rebuild the app after the contracts`,
        );
      }
    }
    const api = await ApiPromise.create({ provider: new WsProvider(deployment.endpoint), noInitWarn: true, throwOnConnect: true });
    if (api.genesisHash.toHex() !== deployment.genesis_hash) {
      await api.disconnect();
      throw new Error(`the node at ${deployment.endpoint} serves another chain (genesis ${api.genesisHash.toHex()}, expected ${deployment.genesis_hash})`);
    }
    const biosample = new ContractPromise(api, biosampleMeta as any, deployment.biosample.address);
    const consent = new ContractPromise(api, consentMeta as any, deployment.consent.address);
    const docs = new Map([
      ['biosample', variantDocs(biosampleMeta)],
      ['consent', variantDocs(consentMeta)],
    ]);
    return new Chain(api, biosample, consent, docs);
  }

  private contract(name: 'biosample' | 'consent'): ContractPromise {
    return name === 'biosample' ? this.biosample : this.consent;
  }

  private refusal(contract: string, message: string, err: Codec): Refusal {
    const names = variantNames(err);
    const docs = this.docs.get(contract)!;
    const last = names[names.length - 1];
    const words = docs.get(last) ?? REFUSAL_WORDS[last] ?? 'the contract gives no description of this refusal';
    return new Refusal(contract, message, names, words);
  }

  /**
   * Dry-runs `message` as `origin` and returns its `Ok` value as JSON, or throws
   * a [`Refusal`] naming the contract's error. Reads are only ever dry runs.
   */
  async dryRun(contract: 'biosample' | 'consent', message: string, origin: string, args: unknown[]) {
    const c = this.contract(contract);
    const query = c.query[message];
    if (!query) throw new Error(`${contract} has no message ${message} in its metadata`);
    const { result, output, gasRequired, storageDeposit } = await query(
      origin,
      { gasLimit: this.api.registry.createType('WeightV2', (this.api.consts.system.blockWeights as any).maxBlock) as any, storageDepositLimit: null },
      ...(args as any[]),
    );
    if (result.isErr) throw new Error(`${contract}::${message} failed to run: ${this.dispatchError(result.asErr)}`);
    // ink! 5: Result<Result<T, Error>, LangError> for fallible messages.
    const outer: any = output;
    if (outer?.isErr) throw this.refusal(contract, message, outer.asErr);
    const inner: any = outer?.isOk ? outer.asOk : outer;
    if (inner && typeof inner.isErr === 'boolean' && inner.isErr) throw this.refusal(contract, message, inner.asErr);
    const value = inner && typeof inner.isOk === 'boolean' ? inner.asOk : inner;
    return { value: value as Codec, gasRequired, storageDeposit };
  }

  /** Dry-runs, then signs and sends `message`; resolves when it is in a block, with the dry run's value. */
  async send(contract: 'biosample' | 'consent', message: string, account: Account, args: unknown[]): Promise<Codec> {
    const dry = await this.dryRun(contract, message, account.address, args);
    const deposit: any = dry.storageDeposit;
    const tx = this.contract(contract).tx[message](
      { gasLimit: dry.gasRequired, storageDepositLimit: deposit.isCharge ? deposit.asCharge : null },
      ...(args as any[]),
    );
    // Stop watching the transaction once it is in a block (or failed), even if that came first.
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    try {
      await new Promise<void>((resolve, reject) => {
        const onStatus = (r: any) => {
          if (r.dispatchError) {
            reject(new Error(`${contract}::${message} failed in its block: ${this.dispatchError(r.dispatchError)}`));
          } else if (r.status.isInBlock || r.status.isFinalized) {
            resolve();
          } else if (r.status.isDropped || r.status.isInvalid || r.status.isUsurped) {
            reject(new Error(`${contract}::${message}: the transaction was ${r.status.type.toLowerCase()}`));
          }
        };
        const sent =
          account.kind === 'keystore'
            ? tx.signAndSend(account.pair, onStatus)
            : tx.signAndSend(account.address, { signer: account.signer }, onStatus);
        sent.then((u) => {
          unsubscribe = u;
          if (settled) u();
        }, reject);
      });
    } finally {
      settled = true;
      unsubscribe?.();
    }
    return dry.value;
  }

  private dispatchError(e: any): string {
    if (e?.isModule) {
      const { section, name, docs } = this.api.registry.findMetaError(e.asModule);
      return `${section}.${name}: ${docs.join(' ')}`;
    }
    return e?.toString() ?? 'unknown error';
  }

  /** May `grantee` use `record` for `purpose` now? The covering grants, or the contract's reason. */
  async checkAccess(grantee: string, record: number, purpose: unknown): Promise<{ allowed: true; grants: string[] } | { allowed: false; refusal: Refusal }> {
    try {
      const { value } = await this.dryRun('consent', 'checkAccess', grantee, [grantee, record, purpose]);
      return { allowed: true, grants: (value.toJSON() as (string | number)[]).map(String) };
    } catch (e) {
      if (e instanceof Refusal) return { allowed: false, refusal: e };
      throw e;
    }
  }

  /** The chain's current block time, ms since the Unix epoch. */
  async now(): Promise<number> {
    return Number((await this.api.query.timestamp.now()).toString());
  }
}
