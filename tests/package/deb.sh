#!/usr/bin/env bash
# The Debian package, built by cargo-deb from the crate's [package.metadata.deb], installed for
# real with dpkg: the `hongyan` user and folders exist with the right owners and modes, systemd
# accepts the unit (`systemd-analyze verify`), the service's command runs as that user from the
# packaged configuration (data in /var/lib/hongyan, a dated log file in /var/log/hongyan), stops
# cleanly on SIGTERM, and a purge removes the program but keeps the data.
#
# Uses the debug binary (HONGYAN_BIN's build) so no second, release build is made here; the
# package an operator installs comes from `./scripts/package-deb` (release).
# Prints `package deb: N passed, M failed`. Needs root (dpkg, useradd).
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO_DEB_VERSION=3.8.0

fail() { echo "package deb: $*" >&2; echo "package deb: 0 passed, 1 failed"; exit 1; }
if [[ $(id -u) -ne 0 ]]; then fail "needs root to install the package"; fi
if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
fi
cargo build --quiet -p hongyan --bin hongyan
out=target/debian-test
rm -rf "$out"
cargo deb -p hongyan --no-build --profile dev --fast --quiet -o "$out/" >/dev/null 2>&1 || cargo deb -p hongyan --no-build --profile dev --fast -o "$out/"
deb=$(ls "$out"/hongyan_*.deb)

contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/hongyan ./usr/lib/systemd/system/hongyan.service ./etc/hongyan/hongyan.toml \
    ./usr/share/doc/hongyan/operations.md; do
  grep -q " $path\$" <<<"$contents" || fail "$path missing from the package"
done
dpkg-deb --field "$deb" Depends | grep -q passwd || fail "no dependency on passwd (useradd)"
dpkg-deb --info "$deb" conffiles | grep -qx /etc/hongyan/hongyan.toml || fail "the configuration is not a conffile"

# A clean slate: an earlier run's package, user and folders.
dpkg --purge hongyan >/dev/null 2>&1 || true
rm -rf /var/lib/hongyan /var/log/hongyan /etc/hongyan
getent passwd hongyan >/dev/null && userdel hongyan
cleanup() {
  [[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null || true
  dpkg --purge hongyan >/dev/null 2>&1 || true
  rm -rf /var/lib/hongyan /var/log/hongyan /etc/hongyan
  getent passwd hongyan >/dev/null && userdel hongyan || true
}
trap cleanup EXIT

dpkg -i "$deb" >"$out/dpkg.log" 2>&1 || { cat "$out/dpkg.log"; fail "dpkg -i failed"; }
getent passwd hongyan | grep -q nologin || fail "no system user hongyan"
[[ $(stat -c '%U:%G %a' /var/lib/hongyan) == "hongyan:hongyan 750" ]] || fail "/var/lib/hongyan: $(stat -c '%U:%G %a' /var/lib/hongyan)"
[[ $(stat -c '%U:%G %a' /etc/hongyan/hongyan.toml) == "root:hongyan 640" ]] || fail "config: $(stat -c '%U:%G %a' /etc/hongyan/hongyan.toml)"
systemd-analyze verify /usr/lib/systemd/system/hongyan.service || fail "systemd-analyze verify rejected the unit"
/usr/bin/hongyan check-config /etc/hongyan/hongyan.toml >/dev/null || fail "the packaged configuration does not check"

# The unit's command, as the unit's user (no systemd as PID 1 here; setpriv execs, so the
# signal reaches hongyan itself), on a free port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/hongyan.service)
setpriv --reuid=hongyan --regid=hongyan --init-groups $exec_start --http "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || fail "the service did not answer /healthz"
[[ $(stat -c '%U' /var/lib/hongyan/hongyan.db) == hongyan ]] || fail "the database is not the service user's"
ls /var/log/hongyan/hongyan-20??-??-??.log >/dev/null 2>&1 || fail "no dated log file in /var/log/hongyan"
kill -TERM "$pid"
wait "$pid" || fail "the service did not stop cleanly on SIGTERM"
pid=
grep -q "stopped cleanly" /var/log/hongyan/hongyan-*.log || fail "no clean stop in the log"

dpkg --purge hongyan >>"$out/dpkg.log" 2>&1 || { cat "$out/dpkg.log"; fail "dpkg --purge failed"; }
[[ ! -e /usr/bin/hongyan ]] || fail "the program is still there after a purge"
[[ -f /var/lib/hongyan/hongyan.db ]] || fail "a purge removed the data"
echo "package deb: 1 passed, 0 failed"
