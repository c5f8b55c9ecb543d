//! The harness's scaled-down run, so it cannot rot: `versus --quick` (every scenario with
//! small counts against the real `hongyan` binary, and the side-by-side ones against Kannel
//! when it is installed) must complete with zero errors in every scenario. It asserts
//! completion and correctness, never speed.

use std::process::Command;

#[test]
fn the_quick_run_completes_with_zero_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_versus")).arg("--quick").output().expect("run versus");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "versus --quick failed: {}\n{stdout}\n{stderr}", out.status);
    let summaries: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("each summary line is JSON"))
        .collect();
    let scenarios: Vec<&str> = summaries.iter().map(|s| s["scenario"].as_str().unwrap()).collect();
    assert_eq!(
        scenarios,
        [
            "http-smpp",
            "http-smpp-dlr",
            "http-batch",
            "smpp-server",
            "cmpp-server",
            "steady",
            "verify-bulk",
            "large",
            "startup",
            "cluster",
            "cluster-steady"
        ],
        "{stdout}"
    );
    for summary in &summaries {
        assert!(summary["messages"].as_u64().unwrap() > 0, "{summary}");
        let peers = summary["peers"].as_array().expect("peers");
        assert!(peers.iter().any(|p| p["peer"] == "Hongyan"), "Hongyan was measured: {summary}");
        for p in peers {
            assert_eq!(p["completed"], true, "every submit (and report) arrived: {summary}");
            assert_eq!(p["errors"], 0, "no errors: {summary}");
            assert!(p["msg_per_s"].as_f64().unwrap() > 0.0, "a rate was measured: {summary}");
        }
    }
}
