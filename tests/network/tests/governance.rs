//! Governance on a real four-biobank network is a threshold of its members:
//! the sudo key is the 3-of-4 multisig account of the biobanks, so one
//! member alone cannot admit anyone, and the proposal passes only with the
//! third approval. The checks run in `chain-spec/devnet/governance.mjs`
//! (polkadot.js, the tool consortium operators already use for multisig
//! calls) against the archive node, with the biobanks' keys that
//! `scripts/network.sh` generated. About a minute and a half of wall time.

use network_tests::Network;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn one_member_alone_cannot_pass_a_governance_proposal() {
    let net = Network::start(4).expect("a four-biobank network starts and finalizes");
    let consortium: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(net.dir().join("consortium.json")).unwrap())
            .unwrap();
    assert_eq!(consortium["governance_threshold"], 3, "3 of 4 biobanks");

    // The biobanks' secret phrases, one per line, in a file only we can read.
    let keys = net.dir().join("secrets/governance-keys");
    let phrases: Vec<String> = (1..=4)
        .map(|i| std::fs::read_to_string(net.dir().join(format!("secrets/biobank-{i}.phrase"))))
        .collect::<Result<_, _>>()
        .unwrap();
    std::fs::write(&keys, phrases.concat()).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();

    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../chain-spec/devnet/governance.mjs");
    let out = Command::new("node")
        .arg(&script)
        .args([net.endpoint.as_str(), "3"])
        .arg(&keys)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "governance checks failed");
    for line in [
        "ok   one member's own sudo is refused (sudo.RequireSudo)",
        "ok   after 1 of 3 approvals nobody is admitted",
        "ok   after 2 of 3 approvals nobody is admitted",
        "ok   approval 3 of 3 executes the proposal",
        "ok   the newcomer is a member",
    ] {
        assert!(stdout.contains(line), "missing: {line}");
    }
}
