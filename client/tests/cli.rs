//! The `bionft` binary without a chain: help that teaches, and exit code 2
//! with a clear message when the chain cannot be reached.

use std::process::Command;

fn bionft(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bionft"))
        .args(args)
        .output()
        .expect("bionft runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn help_names_every_user_and_the_exit_codes() {
    let (code, out, _) = bionft(&["--help"]);
    assert_eq!(code, 0);
    for word in [
        "deploy",
        "biobank",
        "guardian",
        "subject",
        "host",
        "Exit codes",
    ] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
}

#[test]
fn an_unreachable_chain_is_an_error_not_a_refusal() {
    // Port 9 (discard) is not a Substrate node on any test machine.
    let (code, out, err) = bionft(&[
        "--endpoint",
        "ws://127.0.0.1:9",
        "--json",
        "host",
        "check",
        "--grantee",
        "//Ferdie",
        "--record",
        "1",
        "--purpose",
        "HMB",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot connect to ws://127.0.0.1:9"), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("--json errors are JSON");
    assert_eq!(json["refused"], false);
}

#[test]
fn deploy_names_missing_bundles_before_touching_a_chain() {
    let (code, _, err) = bionft(&[
        "--endpoint",
        "ws://127.0.0.1:9",
        "deploy",
        "--key",
        "//Alice",
        "--contracts",
        "/no/such/dir",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/no/such/dir/biosample/biosample.contract")
            && err.contains("cargo xtask contracts"),
        "{err}"
    );
}

#[test]
fn missing_required_arguments_are_usage_errors() {
    let (code, _, err) = bionft(&["guardian", "grant", "--key", "//Eve"]);
    assert_eq!(code, 2);
    assert!(err.contains("--sample"), "{err}");
}

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("bionft-cli-{}-{name}", std::process::id()))
}

#[test]
fn per_sample_accounts_differ_between_salts_and_short_salts_are_refused() {
    let [a, b, short] = ["salt-a", "salt-b", "salt-short"].map(temp);
    std::fs::write(&a, b"salt of sample A, 32 bytes long.").unwrap();
    std::fs::write(&b, b"salt of sample B, 32 bytes long.").unwrap();
    std::fs::write(&short, b"too short").unwrap();
    let account = |salt: &std::path::Path| {
        let (code, out, err) = bionft(&[
            "--json",
            "guardian",
            "account",
            "--dev",
            "--key",
            "//Eve",
            "--sample-salt-file",
            salt.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["account"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (acc_a, acc_b) = (account(&a), account(&b));
    assert_ne!(acc_a, acc_b, "two samples, two unlinkable accounts");
    assert_ne!(
        acc_a, "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw",
        "not Eve's own account"
    );
    assert_eq!(account(&a), acc_a, "the same salt gives the same account");
    let (code, _, err) = bionft(&[
        "guardian",
        "account",
        "--dev",
        "--key",
        "//Eve",
        "--sample-salt-file",
        short.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("at least 16"), "{err}");
    // A guardian's command without a salt (or --own-key) is a usage error.
    let (code, _, err) = bionft(&["guardian", "account", "--key", "//Eve"]);
    assert_eq!(code, 2);
    assert!(err.contains("--sample-salt-file"), "{err}");
    for f in [a, b, short] {
        std::fs::remove_file(f).unwrap();
    }
}

#[test]
fn the_claim_secret_stays_in_an_owner_only_file_and_only_its_commitment_is_printed() {
    let path = temp("claim-secret");
    let _ = std::fs::remove_file(&path);
    let (code, out, err) = bionft(&[
        "--json",
        "guardian",
        "claim-secret",
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let secret = std::fs::read_to_string(&path).unwrap();
    let words: Vec<&str> = secret.split_whitespace().collect();
    assert_eq!(words.len(), 12, "128 bits as 12 words");
    for w in &words {
        assert!(!out.contains(w) && !err.contains(w), "secret word printed");
    }
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let commitment = json["claim_commitment"].as_str().unwrap();
    assert_eq!(commitment.len(), 66, "{commitment}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let expected =
        bionft_primitives::claim::keys::commitment_for_secret(secret.trim().as_bytes()).unwrap();
    assert_eq!(commitment, format!("0x{}", hex::encode(expected)));
    let (code, _, _) = bionft(&["guardian", "claim-secret", "--out", path.to_str().unwrap()]);
    assert_eq!(code, 2, "an existing secret file is never overwritten");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn every_v2_message_has_a_command() {
    for (group, commands) in [
        (
            "biobank",
            &[
                "mint",
                "mint-adult",
                "register",
                "supersede",
                "assign-sequencer",
                "unassign-sequencer",
                "approve-guardian",
                "remove-guardian",
                "attest",
                "transfer-custody",
            ][..],
        ),
        (
            "governance",
            &[
                "grant-role",
                "revoke-role",
                "transfer-admin",
                "reassign-custody",
                "pause",
                "resume",
                "upgrade",
                "rewire",
            ][..],
        ),
        (
            "guardian",
            &[
                "claim-secret",
                "account",
                "grant",
                "revoke",
                "withdraw-all",
                "withdraw",
                "nominate",
                "resign",
            ][..],
        ),
        ("subject", &["claim", "confirm"][..]),
        ("host", &["check", "record-access"][..]),
    ] {
        let (code, out, _) = bionft(&[group, "--help"]);
        assert_eq!(code, 0);
        for c in commands {
            assert!(out.contains(c), "`bionft {group} --help` lacks {c}:\n{out}");
        }
    }
    let (_, out, _) = bionft(&["biobank", "mint", "--help"]);
    for word in [
        "--majority",
        "--claim-commitment",
        "--guardian",
        "links nothing",
    ] {
        assert!(out.contains(word), "mint --help lacks {word}:\n{out}");
    }
    assert!(!out.contains("--claim-secret-file"));
    let (_, out, _) = bionft(&["subject", "claim", "--help"]);
    assert!(out.contains("NotAttested"), "{out}");
}
