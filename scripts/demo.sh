#!/usr/bin/env bash
# The root demo stack on this host, with a local file backend in .pulumi-state/.
#   scripts/demo.sh up       (npm run demo)          pulumi up, then prove it works
#   scripts/demo.sh destroy  (npm run demo:destroy)  tear it down, leave the host as it was
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-up}
[ "$(id -u)" = 0 ] || { echo "demo: run as root: it creates network namespaces on this host" >&2; exit 1; }
bash scripts/setup-host.sh
bash scripts/setup-node.sh
bash toolchain/ensure.sh
# shellcheck source=../toolchain/env.sh
. toolchain/env.sh
mkdir -p .pulumi-state/tmp
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
# The Node language host leaves pipe directories in TMPDIR: keep them with the demo's state.
export TMPDIR="$PWD/.pulumi-state/tmp"
# Local demo state only; set your own passphrase for anything that matters.
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-pulumi-netns-demo}
stack=${DEMO_STACK:-demo}
pulumi stack select --create "$stack" --non-interactive >/dev/null
# A random PSK for this demo stack, made once; it goes to pulumi on stdin, never on a command line.
if ! pulumi config get psk >/dev/null 2>&1; then
  head -c 24 /dev/urandom | base64 | pulumi config set --secret psk >/dev/null
fi

case "$action" in
  up)
    # --refresh: repair whatever changed on the host since the last run (a reboot, a killed charon).
    pulumi up --yes --non-interactive --skip-preview --refresh
    node dist/scripts/prove-demo.js "$(pulumi stack output --json)"
    ;;
  destroy)
    pulumi destroy --yes --non-interactive --skip-preview
    pulumi stack rm --yes --non-interactive "$stack" >/dev/null
    rm -rf .pulumi-state/tmp
    ;;
  *) echo "usage: $0 up|destroy" >&2; exit 2 ;;
esac
