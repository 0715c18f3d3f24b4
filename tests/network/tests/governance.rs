//! Governance on a real four-biobank network is a threshold of its members:
//! the sudo key is the 3-of-4 multisig account of the biobanks, so one
//! member alone cannot admit anyone, and the proposal passes only with the
//! third approval; the member it admits may then upload contract code, and a
//! non-member may not. The checks run in `chain-spec/devnet/governance.mjs`
//! (polkadot.js, the tool consortium operators already use for multisig
//! calls) against the archive node, with the biobanks' keys that
//! `scripts/network.sh` generated. About two minutes of wall time.

use network_tests::{governance, governance_keys, repo, Network};

#[test]
fn network_governance_one_member_alone_cannot_pass_a_proposal() {
    let net = Network::start(4).expect("a four-biobank network starts and finalizes");
    let keys = governance_keys(&net, 4).unwrap();
    let contract = repo().join("target/ink/reference-nft/reference-nft.wasm");
    let stdout = governance(&net, &keys, &["check".as_ref(), contract.as_os_str()])
        .expect("the governance checks pass");
    for line in [
        "ok   one member's own sudo is refused (sudo.RequireSudo)",
        "ok   after 1 of 3 approvals nobody is admitted",
        "ok   after 2 of 3 approvals nobody is admitted",
        "ok   approval 3 of 3 executes the proposal",
        "ok   the newcomer is a member",
        "ok   a non-member's upload is refused (BadOrigin)",
        "ok   the new member's upload works (contracts.CodeStored)",
    ] {
        assert!(stdout.contains(line), "missing: {line}");
    }
}
