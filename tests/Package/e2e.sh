#!/usr/bin/env bash
# The package test, as a package user meets it: pack the solution into a local folder feed, copy
# Consumer/ to a fresh folder outside the repository, restore VirCommand only from that feed (the
# machine's own NuGet source serves Microsoft.*), build it with no C compiler on PATH, run it
# (AddVirCommand() must pick the POSIX backend and capture a command), publish it for linux-arm64
# (must carry the arm64 libvircommand.so), and publish it Native AOT and trimmed (no warnings; both run).
# Prints one PASS/FAIL line per check and ends with "package: N passed, M failed". .ci/run runs it.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/vircommand-package.XXXXXX)
[ -n "${PACKAGE_TEST_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
# A version no earlier run used: restore can then only find it in this feed, never in the global cache.
version="0.1.0-e2e.$(date +%Y%m%d%H%M%S).$$"
passed=0 failed=0

check() { # check NAME COMMAND...: runs COMMAND, logs to $work/NAME.log, counts and reports
  local name=$1
  shift
  if "$@" >"$work/$name.log" 2>&1; then
    passed=$((passed + 1))
    echo "PASS $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name (last lines of its log:)"
    tail -n 30 "$work/$name.log" | sed 's/^/    /'
  fi
}

# No C compiler on PATH: only dotnet and the shell tools the SDK and this script call.
nocc="$work/nocc-bin"
mkdir -p "$nocc"
ln -s "$(command -v dotnet)" "$nocc/dotnet"
for tool in sh bash cat grep sed tail readelf unzip; do
  path=$(command -v "$tool") && ln -s "$path" "$nocc/$tool"
done
no_cc() { env -u CC -u CXX PATH="$nocc" "$@"; }

pack() {
  dotnet pack "$repo/VirCommand.sln" -c Release -o "$work/feed" -p:Version="$version" -nologo || return 1
  local posix="$work/feed/VirCommand.Backends.Posix.$version.nupkg" id listing rid field
  listing=$(unzip -l "$posix") || return 1
  for rid in linux-x64 linux-arm64 linux-musl-x64 linux-musl-arm64; do
    grep -q "runtimes/$rid/native/libvircommand.so" <<<"$listing" || { echo "missing $rid in $posix"; return 1; }
  done
  for id in VirCommand VirCommand.Abstractions VirCommand.Backends.Posix VirCommand.Backends.Managed VirCommand.Backends.Fake VirCommand.Backends.Ssh; do
    [ -f "$work/feed/$id.$version.snupkg" ] || { echo "no symbol package for $id"; return 1; }
    unzip -p "$work/feed/$id.$version.nupkg" "$id.nuspec" >"$work/$id.nuspec" || return 1
    for field in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<repository type="git"' '<description>'; do
      grep -qF "$field" "$work/$id.nuspec" || { echo "$id.nuspec lacks $field"; return 1; }
    done
    grep -q 'Package Description' "$work/$id.nuspec" && { echo "$id has the SDK's placeholder description"; return 1; }
    listing=$(unzip -l "$work/feed/$id.$version.nupkg") || return 1
    grep -q ' README.md$' <<<"$listing" || { echo "$id lacks README.md"; return 1; }
  done
}

setup_consumer() {
  local upstream
  # The machine's configured source (the mirror) for everything but VirCommand itself.
  upstream=$(cd "$HOME" && dotnet nuget list source --format short | awk '$1 ~ /^E/ {print $2; exit}')
  [ -n "$upstream" ] || { echo "no enabled NuGet source configured"; return 1; }
  cp -r "$repo/tests/Package/Consumer" "$work/app"
  cat >"$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="feed" value="$work/feed" />
    <add key="upstream" value="$upstream" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="feed"><package pattern="VirCommand" /><package pattern="VirCommand.*" /></packageSource>
    <packageSource key="upstream"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
}

build_without_cc() {
  for compiler in gcc cc clang; do
    if no_cc sh -c "command -v $compiler"; then echo "$compiler is still on PATH"; return 1; fi
  done
  (cd "$work/app" && no_cc dotnet build -c Release -p:VirCommandVersion="$version" -nologo)
}

expect_posix_capture() { # expect_posix_capture COMMAND...: the consumer's output
  local out
  out=$("$@") || return 1
  echo "$out"
  grep -q '^backend: posix ' <<<"$out" && grep -qx 'captured from-the-child' <<<"$out"
}

publish_arm64() {
  (cd "$work/app" && no_cc dotnet publish -c Release -r linux-arm64 --self-contained false -p:VirCommandVersion="$version" -o "$work/arm64" -nologo) || return 1
  local header
  header=$(readelf -h "$work/arm64/libvircommand.so") || return 1
  echo "$header"
  grep -q 'Machine: *AArch64' <<<"$header"
}

publish_clean() { # publish_clean DIR ARGS...: publishes, fails on any warning
  local dir=$1
  shift
  (cd "$work/app" && dotnet publish -c Release -r linux-x64 -p:VirCommandVersion="$version" -o "$dir" -nologo "$@") >"$dir.log" 2>&1
  local rc=$?
  cat "$dir.log"
  [ $rc -eq 0 ] || return 1
  if grep -E ' warning [A-Z]+[0-9]+' "$dir.log"; then echo "the publish warned"; return 1; fi
}

check pack pack
check consumer-setup setup_consumer
check build-without-c-compiler build_without_cc
check run-picks-posix-and-captures expect_posix_capture no_cc dotnet "$work/app/bin/Release/net10.0/Consumer.dll"
check publish-linux-arm64-carries-arm64-so publish_arm64
check publish-native-aot-without-warnings publish_clean "$work/aot" -p:PublishAot=true
check native-aot-runs expect_posix_capture "$work/aot/Consumer"
check publish-trimmed-without-warnings publish_clean "$work/trimmed" --self-contained -p:PublishTrimmed=true
check trimmed-runs expect_posix_capture "$work/trimmed/Consumer"

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
