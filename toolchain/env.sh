# Source this file: it puts the pinned Pulumi toolchain on PATH and makes Pulumi run offline.
# It never builds anything; toolchain/ensure.sh does that.
_netns_toolchain_root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$_netns_toolchain_root/versions.env"
# root's cache lives in /var/cache so that unprivileged users (`pulumi preview` as nobody) can run it.
if [ -z "${PULUMI_NETNS_CACHE:-}" ]; then
  if [ "$(id -u)" = 0 ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
    PULUMI_NETNS_CACHE=/var/cache/pulumi-netns
  else
    PULUMI_NETNS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-netns
  fi
fi
PULUMI_NETNS_TOOLCHAIN_BIN=$PULUMI_NETNS_CACHE/toolchain/v$PULUMI_VERSION-lh$PULUMI_LANGHOST_VERSION/bin
case ":$PATH:" in
  *":$PULUMI_NETNS_TOOLCHAIN_BIN:"*) ;;
  *) [ -x "$PULUMI_NETNS_TOOLCHAIN_BIN/pulumi" ] && PATH=$PULUMI_NETNS_TOOLCHAIN_BIN:$PATH ;;
esac
export PATH PULUMI_NETNS_CACHE PULUMI_NETNS_TOOLCHAIN_BIN
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_HOME=${PULUMI_HOME:-$PULUMI_NETNS_CACHE/pulumi-home}
unset _netns_toolchain_root
