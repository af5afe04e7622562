// Where the console's static files live, whichever way the registry was started.
//
// - From source (tests, `node -r @swc-node/register`): next to this file, in ./public.
// - From `npm run build` output: the build copies src/console/public to dist/console/public;
//   if it was compiled with plain `tsc` instead, fall back to the source tree.
// Chart.js is served from node_modules so the console makes no request outside the registry.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CONSOLE_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Asset names are flat and plain: no directories, so a request can never leave the public folder. */
export const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(js|css|svg|png|ico)$/;

export function resolvePublicDir(candidates: string[] = defaultPublicDirCandidates()): string {
  for (const candidate of candidates) {
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  throw new Error(`console assets not found; looked in ${candidates.join(', ')}`);
}

export function defaultPublicDirCandidates(): string[] {
  return [
    path.join(__dirname, 'public'),
    path.join(__dirname, '..', '..', 'src', 'console', 'public'),
    path.join(process.cwd(), 'src', 'console', 'public'),
    path.join(process.cwd(), 'dist', 'console', 'public'),
  ];
}

/**
 * The Chart.js UMD bundle of the installed version. chart.js's package "exports"
 * hides ./dist/*, so resolve the package entry point and look beside it.
 */
export function resolveChartJs(): string {
  const entry = require.resolve('chart.js');
  const file = path.join(path.dirname(entry), 'chart.umd.min.js');
  if (!fs.existsSync(file)) throw new Error(`Chart.js UMD bundle not found at ${file}`);
  return file;
}
