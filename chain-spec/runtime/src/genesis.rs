//! Genesis presets: `dev` (well-known dev accounts) and `consortium` (from
//! `chain-spec/consortium.json`, compiled in).
//!
//! Each preset is a *complete* `RuntimeGenesisConfig` in JSON, not a patch:
//! `GenesisBuilder_build_state` accepts it as it is, so a spec generator can
//! hand the bytes straight back without merging JSON (and without parsing
//! u128 balances into floating point, as JavaScript would).

use crate::{
    AccountId, AuraConfig, Balance, BalancesConfig, ConsortiumConfig, GrandpaConfig, Runtime,
    RuntimeGenesisConfig, SudoConfig, UNIT,
};
use alloc::{string::String, vec, vec::Vec};
use serde::Deserialize;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::PresetId;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// The preset with the well-known dev accounts in the project's roles.
pub const DEV: &str = "dev";
/// The preset built from `chain-spec/consortium.json`.
pub const CONSORTIUM: &str = "consortium";

/// What each dev account holds at genesis.
const DEV_ENDOWMENT: Balance = 1_000_000 * UNIT;

/// `chain-spec/consortium.json`, fixed when the runtime is compiled.
const CONSORTIUM_JSON: &str = include_str!("../../consortium.json");

/// The consortium's founding facts, as written in `consortium.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Consortium {
    /// How many biobanks must approve a governance call: the sudo key is the
    /// multisig account of all biobanks' accounts with this threshold. At
    /// least 2 when there are several biobanks, so no single member decides.
    governance_threshold: u16,
    /// What every biobank's account holds at genesis, in plancks, as a
    /// decimal string.
    endowment: String,
    /// The biobanks: members, block authors and finality voters.
    biobanks: Vec<Biobank>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Biobank {
    /// A human-readable name, unique within the consortium.
    name: String,
    /// The biobank's account: a consortium member.
    account: AccountId,
    /// The biobank's Aura (block authoring) key, sr25519.
    aura: AuraId,
    /// The biobank's GRANDPA (finality) key, ed25519.
    grandpa: GrandpaId,
}

fn genesis(
    governance: AccountId,
    members: Vec<AccountId>,
    authorities: Vec<(AuraId, GrandpaId)>,
    endowed: Vec<(AccountId, Balance)>,
) -> Vec<u8> {
    let (aura, grandpa): (Vec<_>, Vec<_>) = authorities.into_iter().unzip();
    let config = RuntimeGenesisConfig {
        balances: BalancesConfig {
            balances: endowed,
            ..Default::default()
        },
        aura: AuraConfig { authorities: aura },
        grandpa: GrandpaConfig {
            authorities: grandpa.into_iter().map(|id| (id, 1)).collect(),
            ..Default::default()
        },
        sudo: SudoConfig {
            key: Some(governance),
        },
        consortium: ConsortiumConfig { members },
        ..Default::default()
    };
    serde_json::to_vec(&config).expect("a genesis config serializes to JSON")
}

/// Alice governs (sudo), is a member and deploys the contracts (their admin);
/// Bob is a biobank: a member and the only authority (Aura and GRANDPA).
/// Charlie (sequencer), Dave (data host), Eve (guardian) and Ferdie
/// (researcher) are funded non-members: contract roles are granted by the
/// deploy step, not the chain.
fn dev() -> Vec<u8> {
    use Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie};
    genesis(
        Alice.to_account_id(),
        vec![Alice.to_account_id(), Bob.to_account_id()],
        vec![(
            AuraId::from(Bob.public()),
            GrandpaId::from(Ed25519Keyring::Bob.public()),
        )],
        [Alice, Bob, Charlie, Dave, Eve, Ferdie]
            .into_iter()
            .map(|k| (k.to_account_id(), DEV_ENDOWMENT))
            .collect(),
    )
}

/// The governance account of `members` with `threshold`: the account
/// `pallet_multisig` derives for them (signatories sorted), which only
/// `threshold` of them approving together can act as.
pub fn governance_account(members: &[AccountId], threshold: u16) -> AccountId {
    let mut sorted = members.to_vec();
    sorted.sort();
    pallet_multisig::Pallet::<Runtime>::multi_account_id(&sorted, threshold)
}

/// The consortium's genesis from `consortium.json`: every biobank is a
/// member, an authority (Aura and GRANDPA, equal weights) and receives the
/// endowment; the sudo key is the biobanks' multisig account
/// ([`governance_account`]) with the file's threshold.
fn consortium() -> Vec<u8> {
    let c: Consortium =
        serde_json::from_str(CONSORTIUM_JSON).expect("consortium.json matches the schema");
    let endowment: Balance = c
        .endowment
        .parse()
        .expect("consortium.json: endowment is a decimal number of plancks");
    assert!(!c.biobanks.is_empty(), "consortium.json lists no biobanks");
    for (i, b) in c.biobanks.iter().enumerate() {
        assert!(!b.name.is_empty(), "consortium.json: a biobank has no name");
        assert!(
            c.biobanks[..i].iter().all(|o| o.name != b.name),
            "consortium.json: two biobanks share a name"
        );
    }
    let members: Vec<AccountId> = c.biobanks.iter().map(|b| b.account.clone()).collect();
    let least = if members.len() > 1 { 2 } else { 1 };
    assert!(
        (least..=members.len()).contains(&usize::from(c.governance_threshold)),
        "consortium.json: governance_threshold must be at least 2 (no single member decides) and at most the number of biobanks"
    );
    let governance = governance_account(&members, c.governance_threshold);
    let endowed = members.iter().map(|a| (a.clone(), endowment)).collect();
    let authorities = c
        .biobanks
        .into_iter()
        .map(|b| (b.aura, b.grandpa))
        .collect();
    genesis(governance, members, authorities, endowed)
}

/// The preset called `id`, if there is one. `development` (the name
/// `polkadot-omni-node --dev` and `chain-spec-builder` ask for) is `dev`.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    match id.as_str() {
        DEV | sp_genesis_builder::DEV_RUNTIME_PRESET => Some(dev()),
        CONSORTIUM => Some(consortium()),
        _ => None,
    }
}

/// The presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
    vec![PresetId::from(DEV), PresetId::from(CONSORTIUM)]
}
