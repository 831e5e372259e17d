// One temporary folder per test run for the servers the tests start (support/server.ts): a test
// worker is ended without its `exit` handlers running, so the run removes the folder at its end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup() {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqm-test-run-'));
	process.env.SQM_TEST_TMP = root;
	return () => fs.rmSync(root, { recursive: true, force: true });
}
