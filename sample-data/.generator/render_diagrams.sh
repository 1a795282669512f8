#!/bin/sh
# Renders the two diagrams from their .dot sources (needs graphviz; pngquant and
# optipng keep the PNGs small). Run from the repository root.
set -e
cd "$(dirname "$0")/../attachments"
dot -Tpng -Gdpi=90 network-diagram.dot -o network-diagram.png
dot -Tpng -Gdpi=110 data-flow-diagram.dot -o data-flow-diagram.png
for f in network-diagram.png data-flow-diagram.png; do
  pngquant --force --quality=70-95 --speed 1 --output "$f" "$f"
  optipng -quiet -o5 "$f"
done
