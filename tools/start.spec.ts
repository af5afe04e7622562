/*
 * The registry starts with the same node flags however it is started: `npm start`, `npm run start:prod`, the
 * Dockerfile and the bench (which reads start:prod). docs/scaling.md ("The Node process") says which were tried.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { registryNodeFlags } from '../bench/registry';

const ROOT = path.join(__dirname, '..');

describe('the node flags the registry starts with', () => {
  const flags = registryNodeFlags();

  it('are the same for npm start, npm run start:prod and the Dockerfile', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts['start:prod']).toBe(['node', ...flags, 'dist/main.js'].join(' '));
    expect(scripts.start.endsWith(`&& ${['node', ...flags, 'dist/main.js'].join(' ')}`)).toBe(true);
    const cmd = /^CMD (\[.*\])$/m.exec(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    expect(cmd && JSON.parse(cmd[1])).toEqual(['node', ...flags, 'dist/main.js']);
  });
});
