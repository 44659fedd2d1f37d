#!/usr/bin/env bash
# Checks the NuGet packages the way a user meets them. Packs FocusLab.slnx into a temporary feed,
# installs the focuslab tool from it and runs `focuslab optimizers` and a tiny `focuslab phase`,
# then restores, builds and runs samples/TrainWithFocus against the packed FocusLab.Optim. NuGet
# restores into an empty temporary packages folder, so a cached package of the same version can
# never stand in for the one just packed. Prints one PASS/FAIL line; exits non-zero on any problem;
# removes every temporary file. Usage: scripts/check-packages.sh  (from anywhere; needs network
# access to nuget.org for System.Numerics.Tensors).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/focuslab-check-packages.XXXXXX")"
step="start"
log="$tmp/step.log"
result=""

finish() {
  local rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "check-packages: PASS in ${SECONDS} s (packed; tool installed and ran; sample: $result)"
  else
    [ -s "$log" ] && { echo "--- output of the failed step ($step):"; tail -n 60 "$log"; } >&2
    echo "check-packages: FAIL at step '$step' (exit code $rc) after ${SECONDS} s" >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap finish EXIT

fail() { echo "check-packages: $*" >&2; exit 1; }
# Runs a command with its output in $log (shown only if the check fails).
quiet() { "$@" >"$log" 2>&1; }

step="read the version"
version="$(sed -n 's:.*<FocusLabVersion>\(.*\)</FocusLabVersion>.*:\1:p' "$root/Directory.Build.props")"
[ -n "$version" ] || fail "no <FocusLabVersion> in Directory.Build.props"

step="dotnet pack"
quiet dotnet pack "$root/FocusLab.slnx" -c Release -o "$tmp/feed" --nologo
for f in FocusLab.Optim."$version".nupkg FocusLab.Optim."$version".snupkg \
         FocusLab.Engine."$version".nupkg FocusLab.Engine."$version".snupkg FocusLab.Tool."$version".nupkg; do
  [ -f "$tmp/feed/$f" ] || fail "dotnet pack did not write $f (feed holds: $(ls "$tmp/feed" | tr '\n' ' '))"
done

# FocusLab.* only from the temporary feed, the rest from nuget.org; restores go to $tmp/nuget.
cat >"$tmp/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="check-feed" value="$tmp/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="check-feed"><package pattern="FocusLab.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
CONFIG
export NUGET_PACKAGES="$tmp/nuget"

step="dotnet tool install"
# A tool package bundles its dependencies, so the temporary feed is its only source.
printf '<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources><clear /></packageSources></configuration>\n' \
  >"$tmp/tool-nuget.config"
quiet dotnet tool install --tool-path "$tmp/tools" --configfile "$tmp/tool-nuget.config" --add-source "$tmp/feed" \
  FocusLab.Tool --version "$version"
[ -x "$tmp/tools/focuslab" ] || fail "the tool install did not create $tmp/tools/focuslab"

step="focuslab optimizers"
quiet "$tmp/tools/focuslab" optimizers
for id in focus signum adamw s3 lion; do
  grep -qw "$id" "$log" || fail "focuslab optimizers does not list '$id'"
done

step="focuslab phase"
# The smallest diagram that still exercises every optimizer and output: 4 × 3 pixels, 3 lrs, 2 replicates, 50 steps.
quiet "$tmp/tools/focuslab" phase --x-points 4 --sigma-points 3 --lr-points 3 --replicates 2 --steps 50 \
  --threads 1 --out "$tmp/phase"
for f in summary.json winners.csv winner_map.svg final_loss.npy sigma_c.csv index.html; do
  [ -s "$tmp/phase/$f" ] || fail "focuslab phase did not write $f"
done

step="restore the sample"
sample="$root/samples/TrainWithFocus/TrainWithFocus.csproj"
# Build outputs and obj/ go to $tmp too, so the check neither reads nor leaves files in samples/.
artifacts=(-p:UseArtifactsOutput=true -p:ArtifactsPath="$tmp/sample")
quiet dotnet restore "$sample" --configfile "$tmp/nuget.config" --packages "$tmp/nuget" "${artifacts[@]}"
optim="$tmp/nuget/focuslab.optim/$version"
[ -d "$optim" ] || fail "FocusLab.Optim $version was not restored from the temporary feed"
# The restored folder is the package's contents: check what a user of the package should get.
for f in lib/net10.0/FocusLab.Optim.dll lib/net10.0/FocusLab.Optim.xml README.md LICENSE; do
  [ -s "$optim/$f" ] || fail "the FocusLab.Optim package lacks $f"
done
grep -q '<license type="expression">MIT</license>' "$optim/focuslab.optim.nuspec" || fail "the FocusLab.Optim package has no MIT license expression"
grep -q '<repository type="git"' "$optim/focuslab.optim.nuspec" || fail "the FocusLab.Optim package has no repository metadata"

step="build the sample"
quiet dotnet build "$sample" --no-restore -c Release --nologo "${artifacts[@]}"
dll="$(find "$tmp/sample/bin" -name TrainWithFocus.dll -print -quit)"
[ -n "$dll" ] || fail "the sample build wrote no TrainWithFocus.dll"

step="run the sample"
quiet dotnet "$dll"   # exits 1 unless the loss fell below half its initial value
result="$(grep '^loss ' "$log" | tail -n 1)"
[ -n "$result" ] || fail "the sample did not report its loss"
