#!/usr/bin/env bash
# After a goreleaser snapshot: check dist/ has the layout the registries
# expect (zips named for the version and platform, each holding only the
# versioned binary, and SHA256SUMS covering the zips and the manifest).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$ROOT/dist"
sums=(*_SHA256SUMS)
[[ -f "${sums[0]}" ]] || die "no *_SHA256SUMS in dist/"
version="${sums[0]#terraform-provider-workiva_}"
version="${version%_SHA256SUMS}"

# goreleaser sums the manifest under its release name without copying it to
# dist/ (the release step uploads it under that name).
manifest="terraform-provider-workiva_${version}_manifest.json"
want="$(sha256sum <"$ROOT/terraform-registry-manifest.json" | cut -d' ' -f1)"
grep -q "^$want  $manifest\$" "${sums[0]}" || die "${sums[0]} lacks $manifest with the hash of terraform-registry-manifest.json"

zips=(terraform-provider-workiva_"${version}"_*_*.zip)
[[ -f "${zips[0]}" ]] || die "no zips for version $version"
for z in "${zips[@]}"; do
  grep -q " $z\$" "${sums[0]}" || die "$z not in ${sums[0]}"
  # One entry: terraform-provider-workiva_v<version>[.exe]
  if command -v unzip >/dev/null; then
    entries="$(unzip -Z1 "$z")"
    [[ "$entries" =~ ^terraform-provider-workiva_v${version}(\.exe)?$ ]] || die "$z holds unexpected files: $entries"
  fi
done
sha256sum --quiet --ignore-missing -c "${sums[0]}" || die "checksums do not match"
log "dist/ OK: ${#zips[@]} zip(s), version $version, manifest and SHA256SUMS consistent"
