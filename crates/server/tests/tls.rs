//! HTTPS: the real binary with a `[tls]` certificate made by openssl, checked by curl with that
//! certificate as its only trust anchor (neither side is ours).

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::*;

fn curl(args: &[&str]) -> (bool, String) {
    let out = Command::new("curl").args(["-sS", "--max-time", "5"]).args(args).output().expect("curl");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_api_speaks_https_with_the_configured_certificate_and_the_cookie_is_secure() {
    let data = data_dir("tls");
    let (cert, key) = (data.join("cert.pem"), data.join("key.pem"));
    let made = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(made.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = data.join("hongyan.toml");
    std::fs::write(&config, format!("[tls]\ncert = \"{}\"\nkey = \"{}\"\n", cert.display(), key.display())).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["--http", &format!("127.0.0.1:{port}")])
        .env("HONGYAN_ADMIN_PASSWORD", "Initial-Pass-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("https://localhost:{port}");
    let cacert = cert.to_str().unwrap();
    let healthy = eventually(Duration::from_secs(20), || {
        let (ok, body) = curl(&[
            "--cacert",
            cacert,
            "--resolve",
            &format!("localhost:{port}:127.0.0.1"),
            &format!("{base}/healthz"),
        ]);
        (ok && body.contains("\"ok\"")).then_some(())
    });
    assert!(healthy.is_some(), "HTTPS /healthz with the configured certificate");
    let (plain_ok, _) = curl(&[&format!("http://127.0.0.1:{port}/healthz")]);
    assert!(!plain_ok, "no plain HTTP on a TLS listener");
    let (untrusted, _) = curl(&["--resolve", &format!("localhost:{port}:127.0.0.1"), &format!("{base}/healthz")]);
    assert!(!untrusted, "curl without the certificate refuses it: the server really presents it");
    let (_, headers) = curl(&[
        "--cacert",
        cacert,
        "--resolve",
        &format!("localhost:{port}:127.0.0.1"),
        "-i",
        "-X",
        "POST",
        "-H",
        "content-type: application/json",
        "-d",
        r#"{"username":"admin","password":"Initial-Pass-1"}"#,
        &format!("{base}/api/v1/auth/login"),
    ]);
    let cookie = headers.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie")).expect(&headers).to_owned();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    child.kill().unwrap();
    child.wait().unwrap();

    std::fs::remove_file(&key).unwrap();
    let out = Command::new(BIN).args(["serve", "--config"]).arg(&config).arg("--data-dir").arg(&data).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("key.pem"), "a missing key stops the start and is named: {err}");
}
