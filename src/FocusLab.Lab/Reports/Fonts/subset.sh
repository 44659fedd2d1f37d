#!/bin/sh
# Regenerates the two fonts every figure is drawn with: DejaVu Sans and DejaVu Sans Bold (Debian package
# fonts-dejavu-core; licence in LICENSE-DejaVu.txt), cut down to the characters figure labels use (Latin,
# Greek, sub/superscripts, arrows and the few mathematical signs) so that each is about 40 kB.
# Needs: sudo apt-get install fonts-dejavu-core python3-fonttools
set -e
cd "$(dirname "$0")"
chars="U+0020-007E,U+00A0-00FF,U+0300-0308,U+02D9,U+0370-03FF,U+1D40,U+1D48,U+1D62,U+2010-2027,U+2030-203A,U+2070-209F,U+2113,U+211D,U+2190-2193,U+2202,U+2207,U+2208,U+2211,U+2212,U+221A,U+221B,U+221E,U+2225,U+2248,U+2260,U+2264,U+2265,U+226A,U+226B,U+2295,U+2297,U+2299,U+22A5,U+22C5,U+22EF,U+230A,U+230B,U+27E8,U+27E9,U+FFFD"
for pair in "DejaVuSans:FocusLabSans" "DejaVuSans-Bold:FocusLabSans-Bold"; do
  /usr/bin/python3 -m fontTools.subset "/usr/share/fonts/truetype/dejavu/${pair%%:*}.ttf" --unicodes="$chars" \
    --layout-features=kern,liga --no-hinting --drop-tables+=FFTM --output-file="${pair##*:}.ttf"
done
