//! The peer comparison's scaled-down run, so the harness cannot rot: `versus --quick` (500
//! requests against the real `hongyan` binary, and against Kannel when it is installed) must
//! complete with zero errors. It asserts completion and correctness, never speed.

use std::process::Command;

#[test]
fn the_quick_run_completes_with_zero_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_versus")).arg("--quick").output().expect("run versus");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "versus --quick failed: {}\n{stdout}\n{stderr}", out.status);
    let line = stdout.lines().rev().find(|l| l.starts_with('{')).expect("a JSON summary line");
    let summary: serde_json::Value = serde_json::from_str(line).expect("the summary is JSON");
    let peers = summary["peers"].as_array().expect("peers");
    assert!(peers.iter().any(|p| p["peer"] == "Hongyan"), "Hongyan was measured: {line}");
    for p in peers {
        assert_eq!(p["completed"], true, "every submit reached the sink: {line}");
        assert_eq!(p["errors"], 0, "no errors: {line}");
        assert_eq!(summary["messages"], 500);
        assert!(p["msg_per_s"].as_f64().unwrap() > 0.0, "a rate was measured: {line}");
    }
}
