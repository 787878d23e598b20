#!/usr/bin/env bash
# Stand-in for the course's node1 on this machine (`make test-chameleon`): a user cc in the
# docker group that one key reaches over SSH on ADDRESS port 22, with a stand-in `kubectl`
# (port-forward to the stand-in Argo Server only) and a stand-in `docker` (adds the build
# args this machine needs) first on its PATH. Both say what they stand in for.
#   standin-node1.sh start STATE_DIR PUBLIC_KEY ADDRESS CONFIG_DIR   (as root)
#   standin-node1.sh stop STATE_DIR
set -euo pipefail
cd "$(dirname "$0")/.."

user=cc
action=${1:?usage: standin-node1.sh start|stop STATE_DIR ...}
state=${2:?STATE_DIR missing}
pidfile="$state/sshd.pid"

if [ "$action" = stop ]; then
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
  fi
  rm -f "$pidfile"
  exit 0
fi

key=${3:?PUBLIC_KEY missing}
address=${4:?ADDRESS missing}
config=${5:?CONFIG_DIR missing}
if [ "$(id -u)" -ne 0 ]; then
  echo "standin-node1: run as root (it adds the user $user and starts an sshd)" >&2
  exit 1
fi
if ! [ -x /usr/sbin/sshd ]; then
  echo "standin-node1: installing openssh-server from Debian" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null
fi
getent group docker >/dev/null || groupadd --system docker
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
usermod -aG docker "$user"
# A new account is locked ("!"), and sshd without PAM refuses locked accounts even for
# keys: "*" means no password works, and the account is not locked.
usermod -p "*" "$user"
home=$(getent passwd "$user" | cut -d: -f6)

# node1 as the course leaves it: no clone of the lab yet, no training container.
rm -rf "$home/gourmetgram-lab"
install -d -m 700 -o "$user" -g "$user" "$home/.ssh" "$home/.standin"
install -m 600 -o "$user" -g "$user" "$key" "$home/.ssh/authorized_keys"
install -m 644 -o "$user" -g "$user" "$config"/* "$home/.standin/"
install -d -m 755 "$home/standin-bin"
install -m 755 tests/chameleon/standin/node1/kubectl tests/chameleon/standin/node1/docker \
  "$home/standin-bin/"
# A clone from a repository owned by root is refused as "dubious ownership" without this.
su - "$user" -c "git config --global --replace-all safe.directory '*'"

mkdir -p "$state" /run/sshd
[ -f "$state/ssh_host_ed25519_key" ] ||
  ssh-keygen -q -t ed25519 -N "" -f "$state/ssh_host_ed25519_key"
cat >"$state/sshd_config" <<CONF
ListenAddress $address:22
HostKey $state/ssh_host_ed25519_key
PidFile $pidfile
AllowUsers $user
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
SetEnv PATH=$home/standin-bin:/usr/local/bin:/usr/bin:/bin
CONF
/usr/sbin/sshd -t -f "$state/sshd_config"
/usr/sbin/sshd -f "$state/sshd_config" -E "$state/sshd.log"
for _ in $(seq 50); do
  [ -s "$pidfile" ] && break
  sleep 0.1
done
echo "node1 stand-in: $user@$address (sshd pid $(cat "$pidfile"), log $state/sshd.log)"
