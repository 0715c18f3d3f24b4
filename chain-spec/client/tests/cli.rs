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
fn missing_required_arguments_are_usage_errors() {
    let (code, _, err) = bionft(&["guardian", "grant", "--key", "//Eve"]);
    assert_eq!(code, 2);
    assert!(err.contains("--sample"), "{err}");
}
