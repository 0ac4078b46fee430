#!/usr/bin/env bash
# Installs the Debian packages pulumi-netns needs on this host, if any are missing.
set -euo pipefail
packages=(
  iproute2 nftables procps util-linux         # ip, nft, sysctl, unshare/setsid/runuser
  iputils-ping                                 # connectivity proofs in tests and the demo
  strongswan-swanctl strongswan-charon         # one charon per namespace
  libcharon-extra-plugins                      # kernel-libipsec (userspace ESP, for kernels without ESP)
  libstrongswan-standard-plugins
  openssh-server openssh-client                # remote-host tests against a local sshd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-host: missing Debian packages: ${missing[*]} (install them as root with apt-get)" >&2
  exit 1
fi
echo "setup-host: installing ${missing[*]}"
# Only the programs are needed: keep the packages from starting services (a system sshd, a
# strongSwan daemon) while they install, unless the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
