//! `bionft-node consortium-spec`: a consortium's raw chain spec from its
//! `consortium.json`, without rebuilding the runtime.
//!
//! The runtime's `consortium` preset compiles `chain-spec/consortium.json` in,
//! so a consortium with its own keys would otherwise need its own runtime
//! build. Instead, this takes the released runtime (the `:code` of the
//! built-in consortium spec), patches its default genesis config with the
//! file's members, endowments and authorities and the governance multisig
//! (the same fields the preset sets), and lets the runtime's own
//! `GenesisBuilder` turn that into genesis storage. The result runs the very
//! same wasm as the committed specs; only genesis storage differs.

use std::path::PathBuf;

use sc_service::{ChainType, GenericChainSpec};
use serde::Deserialize;
use serde_json::{json, Value};

/// Arguments of `bionft-node consortium-spec`.
#[derive(Debug, clap::Parser)]
pub struct ConsortiumSpecCmd {
    /// A consortium file in `chain-spec/consortium.json`'s format:
    /// governance_threshold (how many biobanks must approve a governance
    /// call), endowment (plancks, decimal string) and biobanks (name, account,
    /// aura sr25519 key, grandpa ed25519 key, all ss58).
    pub file: PathBuf,

    /// The chain's name, shown by `system_chain`.
    #[arg(long, default_value = "BioNFT Consortium")]
    pub name: String,

    /// The chain's id: nodes keep its database under `<base path>/chains/<id>`.
    #[arg(long, default_value = "bionft_consortium")]
    pub id: String,

    /// Also give this account (ss58) the endowment, without making it a
    /// member: test users on a local network. Repeat for several.
    #[arg(long = "fund", value_name = "ACCOUNT")]
    pub funded: Vec<String>,

    /// Also make this account (ss58) a funded consortium member that is not a
    /// biobank, e.g. the account that deploys the contracts on a local
    /// network. It takes no part in governance. Repeat for several.
    #[arg(long = "member", value_name = "ACCOUNT")]
    pub members: Vec<String>,
}

/// `consortium.json`, as the runtime's preset reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Consortium {
    governance_threshold: u16,
    endowment: String,
    biobanks: Vec<Biobank>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Biobank {
    name: String,
    account: String,
    aura: String,
    grandpa: String,
}

/// The account `pallet-multisig` derives for `signatories` (ss58) and
/// `threshold`: `blake2_256("modlpy/utilisuba" ‖ SCALE(sorted accounts) ‖
/// threshold as u16 LE)`. Governance (the sudo key) is this account of all
/// biobanks, which only `threshold` of them approving together can act as.
fn multisig_account(signatories: &[String], threshold: u16) -> Result<String, String> {
    use sp_core::crypto::{AccountId32, Ss58Codec};
    let mut accounts = signatories
        .iter()
        .map(|a| {
            AccountId32::from_ss58check(a)
                .map(<[u8; 32]>::from)
                .map_err(|e| format!("account {a}: {e:?}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    accounts.sort();
    // A SCALE compact length in one byte: the runtime allows at most 32 signatories.
    let len = u8::try_from(accounts.len())
        .ok()
        .filter(|n| *n < 64)
        .ok_or("more than 63 biobanks")?;
    let mut input = b"modlpy/utilisuba".to_vec();
    input.push(len << 2);
    input.extend(accounts.iter().flatten());
    input.extend_from_slice(&threshold.to_le_bytes());
    Ok(AccountId32::from(sp_crypto_hashing::blake2_256(&input))
        .to_ss58check_with_version(42u16.into()))
}

/// The genesis config patch for `c`: what the `consortium` preset sets, plus
/// the endowment for the `funded` non-members and the extra `members`.
fn genesis_patch(c: &Consortium, funded: &[String], extra: &[String]) -> Result<Value, String> {
    let endowment: u64 = c.endowment.parse().map_err(|_| {
        format!(
            "endowment {:?} is not a whole number of plancks below 2^64",
            c.endowment
        )
    })?;
    if c.biobanks.is_empty() {
        return Err("no biobanks: a chain needs at least one authority".into());
    }
    for (i, b) in c.biobanks.iter().enumerate() {
        if b.name.is_empty() {
            return Err(format!("biobank {} has no name", i + 1));
        }
        if c.biobanks[..i].iter().any(|o| o.name == b.name) {
            return Err(format!("two biobanks are called {:?}", b.name));
        }
    }
    let biobanks: Vec<String> = c.biobanks.iter().map(|b| b.account.clone()).collect();
    let least = if biobanks.len() > 1 { 2 } else { 1 };
    if !(least..=biobanks.len()).contains(&usize::from(c.governance_threshold)) {
        return Err(format!(
            "governance_threshold {} must be at least {least} (no single member decides) and at most the {} biobanks",
            c.governance_threshold,
            biobanks.len()
        ));
    }
    let governance = multisig_account(&biobanks, c.governance_threshold)?;
    let members: Vec<String> = biobanks.iter().chain(extra).cloned().collect();
    let endowed: Vec<&String> = members.iter().chain(funded).collect();
    for (i, m) in endowed.iter().enumerate() {
        if endowed[..i].contains(m) {
            return Err(format!("account {m} is listed twice"));
        }
    }
    Ok(json!({
        "balances": { "balances": endowed.iter().map(|m| json!([m, endowment])).collect::<Vec<_>>() },
        "aura": { "authorities": c.biobanks.iter().map(|b| &b.aura).collect::<Vec<_>>() },
        "grandpa": { "authorities": c.biobanks.iter().map(|b| json!([b.grandpa, 1])).collect::<Vec<_>>() },
        "sudo": { "key": governance },
        "consortium": { "members": members },
    }))
}

/// The runtime wasm (as stored, compressed) in the built-in consortium spec.
fn released_runtime() -> Result<Vec<u8>, String> {
    let spec = crate::chain_spec::load("consortium")?;
    let storage = spec.as_storage_builder().build_storage()?;
    storage
        .top
        .get(sp_core::storage::well_known_keys::CODE)
        .cloned()
        .ok_or_else(|| "the built-in consortium spec has no :code".into())
}

/// The raw chain spec, as JSON, for the consortium in `cmd.file`.
pub fn raw_spec(cmd: &ConsortiumSpecCmd) -> Result<String, String> {
    let text =
        std::fs::read_to_string(&cmd.file).map_err(|e| format!("{}: {e}", cmd.file.display()))?;
    let consortium: Consortium =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", cmd.file.display()))?;
    let patch = genesis_patch(&consortium, &cmd.funded, &cmd.members)
        .map_err(|e| format!("{}: {e}", cmd.file.display()))?;
    let code = released_runtime()?;
    let spec: GenericChainSpec = GenericChainSpec::builder(&code, None)
        .with_name(&cmd.name)
        .with_id(&cmd.id)
        .with_chain_type(ChainType::Live)
        .with_protocol_id("bionft")
        .with_properties(
            json!({ "ss58Format": 42, "tokenDecimals": 12, "tokenSymbol": "BIO" })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
        .with_genesis_config_patch(patch)
        .build();
    spec.as_json(true).map_err(|e| {
        format!(
            "{}: the runtime refused this genesis: {e}",
            cmd.file.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed() -> ConsortiumSpecCmd {
        ConsortiumSpecCmd {
            file: concat!(env!("CARGO_MANIFEST_DIR"), "/../consortium.json").into(),
            name: "BioNFT Consortium".into(),
            id: "bionft_consortium".into(),
            funded: Vec::new(),
            members: Vec::new(),
        }
    }

    fn genesis_top(spec_json: &str) -> Value {
        let v: Value = serde_json::from_str(spec_json).unwrap();
        v["genesis"]["raw"]["top"].clone()
    }

    #[test]
    fn the_committed_consortium_gives_the_committed_genesis() {
        // The patch path and the runtime's own preset agree byte for byte.
        let ours = genesis_top(&raw_spec(&committed()).unwrap());
        let theirs = genesis_top(include_str!("../../specs/consortium.raw.json"));
        assert_eq!(ours, theirs);
    }

    #[test]
    fn governance_is_the_multisig_account_pallet_multisig_derives() {
        // Alice and Bob, threshold 2: the account polkadot.js `createKeyMulti` gives
        // (`encodeAddress(createKeyMulti([alice, bob], 2), 42)`).
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".to_string();
        let bob = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".to_string();
        let multisig = multisig_account(&[bob.clone(), alice.clone()], 2).unwrap();
        assert_eq!(multisig, multisig_account(&[alice, bob], 2).unwrap());
        assert_eq!(multisig, "5F3QVbS78a4aTYLiRAD8N3czjqVoNyV42L19CXyhqUMCh4Ch");
    }

    #[test]
    fn duplicate_and_missing_facts_are_refused() {
        let mut c: Consortium =
            serde_json::from_str(include_str!("../../consortium.json")).unwrap();
        assert!(genesis_patch(&c, &[], &[]).is_ok());
        let biobank = [c.biobanks[0].account.clone()];
        assert!(genesis_patch(&c, &biobank, &[])
            .unwrap_err()
            .contains("listed twice"));
        assert!(genesis_patch(&c, &[], &biobank)
            .unwrap_err()
            .contains("listed twice"));
        for alone in [0, 1, 3] {
            c.governance_threshold = alone;
            assert!(genesis_patch(&c, &[], &[])
                .unwrap_err()
                .contains("governance_threshold"));
        }
        c.governance_threshold = 2;
        c.biobanks[1].name = c.biobanks[0].name.clone();
        assert!(genesis_patch(&c, &[], &[])
            .unwrap_err()
            .contains("two biobanks"));
        c.biobanks[1].name = "other".into();
        c.biobanks[1].account = c.biobanks[0].account.clone();
        assert!(genesis_patch(&c, &[], &[])
            .unwrap_err()
            .contains("listed twice"));
        c.endowment = "lots".into();
        assert!(genesis_patch(&c, &[], &[])
            .unwrap_err()
            .contains("endowment"));
        c.biobanks.clear();
        c.endowment = "1".into();
        assert!(genesis_patch(&c, &[], &[])
            .unwrap_err()
            .contains("no biobanks"));
    }
}
