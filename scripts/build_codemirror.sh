#!/bin/sh
# Rebuilds the code editor of the candidate's coding questions: CodeMirror 6 and its Python,
# JavaScript, C++, Java and Go modes as one minified ES module, served from our own static
# folder (no CDN at run time). Versions are pinned in scripts/codemirror/package.json.
set -eu
here="$(cd "$(dirname "$0")/codemirror" && pwd)"
out="$(cd "$here/../.." && pwd)/hireflow/web/static/interviews/codemirror.min.js"
cd "$here"
npm install --no-audit --no-fund --loglevel=error
npx esbuild entry.js --bundle --minify --format=esm --target=es2020 \
  --legal-comments=none --outfile="$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
