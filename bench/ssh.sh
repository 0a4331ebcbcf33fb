#!/usr/bin/env bash
# The SSH backend's figures (issue 17), measured side by side in one run against a temporary sshd on
# 127.0.0.1 (host key, user key, sshd_config and known_hosts in a temporary directory; nothing of the
# system's configuration is read or written but Debian's /run/sshd): runs bench/Ssh.cs with the host alias
# "vircommand-bench" of a generated ssh config. Arguments go on to Ssh.cs (runs, MiB).
# Run: bench/ssh.sh [RUNS, default 200] [MIB, default 256]      (needs openssh-server and openssh-client)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/vircommand-bench-ssh.XXXXXX)
trap '[ -n "${sshd:-}" ] && kill "$sshd" 2>/dev/null; rm -rf "$dir"' EXIT
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/user_key"
cp "$dir/user_key.pub" "$dir/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
cat >"$dir/sshd_config" <<CONF
ListenAddress 127.0.0.1:$port
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PidFile none
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
MaxSessions 200
UseDNS no
CONF
cat >"$dir/ssh_config" <<CONF
Host vircommand-bench
  HostName 127.0.0.1
  Port $port
  User $(id -un)
  IdentityFile $dir/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  GlobalKnownHostsFile /dev/null
  BatchMode yes
  LogLevel ERROR
CONF
mkdir -p /run/sshd
/usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" &
sshd=$!
for _ in $(seq 100); do ssh -F "$dir/ssh_config" vircommand-bench true 2>/dev/null && break; sleep 0.1; done
if [ -n "${SSH_BENCH_PROGRAM:-}" ]; then
  dotnet run -c Release "$SSH_BENCH_PROGRAM" -- "$dir/ssh_config" "$@"
else
  dotnet run -c Release "$here/Ssh.cs" -- "$dir/ssh_config" "$@"
fi
