/*
 * The typed client (client/, README "Typed client") is generated from the committed openapi.json: regenerating it
 * must give the committed client/schema.d.ts byte for byte, so a route change that updated openapi.json without
 * `npm run client:generate` (which `npm run openapi` runs) fails here. `npm run typecheck` compiles client/.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..');

describe('typed client', () => {
  it('client/schema.d.ts is what openapi-typescript generates from openapi.json', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-client-'));
    try {
      const fresh = path.join(dir, 'schema.d.ts');
      await run(process.execPath, [path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), 'openapi.json', '--output', fresh], { cwd: ROOT });
      const committed = fs.readFileSync(path.join(ROOT, 'client', 'schema.d.ts'), 'utf8');
      if (fs.readFileSync(fresh, 'utf8') !== committed) {
        throw new Error('client/schema.d.ts is stale: run `npm run client:generate` (npm run openapi does) and commit it');
      }
      expect(committed).toContain('"/transfers"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
