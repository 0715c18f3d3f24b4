// Accounts the ecosystem's way: a polkadot.js-compatible browser extension
// when one is installed (it signs; the app never sees a key), otherwise an
// encrypted JSON keystore in the polkadot.js format, unlocked here with its
// password and kept in memory only for this page.

import { web3Accounts, web3Enable, web3FromSource } from '@polkadot/extension-dapp';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { KeyringPair$Json } from '@polkadot/keyring/types';
import type { Account } from './chain';

export const SS58_PREFIX = 42;

/** Accounts of every extension the user lets this app see (none when no extension is installed). */
export async function extensionAccounts(): Promise<Account[]> {
  const extensions = await web3Enable('BioNFT');
  if (extensions.length === 0) return [];
  const accounts = await web3Accounts({ ss58Format: SS58_PREFIX });
  return Promise.all(
    accounts.map(async (a) => ({
      kind: 'extension' as const,
      address: a.address,
      name: a.meta.name ?? a.address,
      signer: (await web3FromSource(a.meta.source)).signer,
    })),
  );
}

/** Unlocks a polkadot.js keystore file's text with its password; throws in words when it cannot. */
export async function unlockKeystore(text: string, password: string): Promise<Account> {
  await cryptoWaitReady();
  let json: KeyringPair$Json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('that file is not a JSON keystore');
  }
  if (!json.encoded || !json.encoding || !json.address) {
    throw new Error('that file is not a polkadot.js keystore (no encoded key)');
  }
  const keyring = new Keyring({ ss58Format: SS58_PREFIX });
  const pair = keyring.addFromJson(json);
  try {
    pair.decodePkcs8(password);
  } catch {
    throw new Error('wrong password for this keystore');
  }
  return { kind: 'keystore', address: pair.address, name: (json.meta?.name as string) || pair.address, pair };
}
