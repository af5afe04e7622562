/*
 * Module boundaries (docs/architecture.md#modules, docs/contributing.md#shape-of-the-house):
 * (a) no module imports a higher layer: common < config < database < feature modules < the application
 *     (src/*.ts, src/bin);
 * (b) the feature modules' imports form no cycle (the file-level check is `madge --circular`, in `npm run lint`);
 * (c) each table is owned by one module, and no module reads or writes another's table: by raw SQL, by COPY,
 *     or through the other module's TypeORM entity. An entity may name another module's entity for a foreign
 *     key. The reads across modules that remain are listed in CROSSINGS with the reason; a new one fails here,
 *     and so does an entry that is no longer needed.
 * Production files only: unit tests (*.spec.ts) and migrations are not scanned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');

/**
 * Folders that are one module together. The transfer log and its Merkle tree are one module; the access policy
 * (src/access) is shared code with common, which re-exports the roles, authorities and Principal it declares, and
 * it imports nothing else (docs/architecture.md#modules, #access).
 */
const MODULE_OF_FOLDER: Record<string, string> = { ledger: 'transfers', access: 'common' };

/** Lower layers may be imported by higher ones only. Any folder not named here is a feature module. */
const LAYER: Record<string, number> = { common: 0, config: 1, database: 2, app: 4, bin: 4 };
const FEATURE_LAYER = 3;

/** Table → the module that owns it (the only one whose code names it in SQL or through its entity). */
const OWNER: Record<string, string> = {
  users: 'auth',
  service_accounts: 'auth',
  login_throttle: 'auth',
  auth_refresh_tokens: 'auth',
  organisations: 'organisations',
  calendar_overrides: 'calendar',
  calendar_jurisdictions: 'calendar',
  calendar_revision: 'calendar',
  organisation_jurisdictions: 'organisations',
  organisation_cities: 'organisations',
  organisation_identifier_schemes: 'organisations',
  rollout_regimes: 'rollout',
  rollout_sectors: 'rollout',
  rollout_phases: 'rollout',
  rollout_phase_sectors: 'rollout',
  rollout_enrolments: 'rollout',
  rollout_enrolment_history: 'rollout',
  rollout_sector_counters: 'rollout',
  rollout_authorities: 'rollout',
  rollout_authority_names: 'rollout',
  rollout_regime_sides: 'rollout',
  rollout_filing_materials: 'rollout',
  rollout_revision: 'rollout',
  contracts: 'contracts',
  contract_versions: 'contracts',
  filings: 'contracts',
  filing_number_counters: 'contracts',
  contract_history: 'contracts',
  contract_documents: 'contracts',
  document_blobs: 'contracts',
  contract_incidents: 'contracts',
  contract_notices: 'contracts',
  transfer_records: 'transfers',
  transfer_figures: 'transfers',
  transfer_idempotency_keys: 'transfers',
  ledger_nodes: 'transfers',
  ledger_checkpoints: 'transfers',
  ledger_cosignatures: 'transfers',
  ledger_integrity_failures: 'transfers',
  ledger_audit_progress: 'transfers',
  webhook_subscriptions: 'webhooks',
  webhook_events: 'webhooks',
  webhook_deliveries: 'webhooks',
  webhook_attempts: 'webhooks',
  rule_settings: 'rules',
  refiling_triggers: 'rules',
  rules_revision: 'rules',
};

/**
 * The crossings that remain, as "module → table (file)", each a read of the register of organisations, with the
 * reason (docs/architecture.md#who-calls-whom). They are to go through OrganisationsService; none may be added.
 */
const CROSSINGS: Record<string, string> = {
  'contracts → organisations (contracts/contract-insert.repository.ts)':
    'POST /contracts reads both parties in its one statement and writes only while their side, city and sector are what its plan assumed',
  'contracts → organisations (contracts/contracts.repository.ts)': "a contract view shows the parties' names and verification, joined in the view's query",
};

interface SourceFile {
  /** Relative to src/, with forward slashes. */
  name: string;
  module: string;
  text: string;
  source: ts.SourceFile;
}

function moduleOf(relative: string): string {
  const parts = relative.split('/');
  if (parts.length === 1) return 'app';
  return MODULE_OF_FOLDER[parts[0]] ?? parts[0];
}

const layerOf = (module: string): number => LAYER[module] ?? FEATURE_LAYER;

function productionFiles(): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path.relative(SRC, full) !== path.join('database', 'migrations')) walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const name = path.relative(SRC, full).split(path.sep).join('/');
        const text = fs.readFileSync(full, 'utf8');
        out.push({ name, module: moduleOf(name), text, source: ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true) });
      }
    }
  };
  walk(SRC);
  return out;
}

/** Files under src/ that `file` imports or re-exports (relative specifiers only). */
function importsOf(file: SourceFile): Array<{ target: string; typeOnly: boolean }> {
  const out: Array<{ target: string; typeOnly: boolean }> = [];
  for (const statement of file.source.statements) {
    let specifier: ts.Expression | undefined;
    let typeOnly = false;
    if (ts.isImportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      typeOnly = statement.importClause?.isTypeOnly ?? false;
    } else if (ts.isExportDeclaration(statement)) {
      specifier = statement.moduleSpecifier;
      typeOnly = statement.isTypeOnly;
    }
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file.name), specifier.text));
    if (resolved.startsWith('..')) continue;
    const candidates = [`${resolved}.ts`, `${resolved}/index.ts`];
    const target = candidates.find((c) => fs.existsSync(path.join(SRC, c)));
    if (target) out.push({ target, typeOnly });
  }
  return out;
}

const SQL_TABLE = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE|COPY)\s+"?([a-z_]+)"?/gi;

/** Tables that `file` names in SQL text (string and template literals; a COPY's statement is text too). */
function tablesOf(file: SourceFile): Set<string> {
  const out = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      for (const match of node.text.matchAll(SQL_TABLE)) if (OWNER[match[1]]) out.add(match[1]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.source);
  return out;
}

/** The tables an entity file declares (`@Entity({ name: '…' })`). */
function entityTables(file: SourceFile): string[] {
  return [...file.text.matchAll(/@Entity\(\{\s*name:\s*'([a-z_]+)'/g)].map((m) => m[1]);
}

const files = productionFiles();
const byName = new Map(files.map((f) => [f.name, f]));

describe('module boundaries', () => {
  it('scans the whole tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(byName.has('contracts/contracts.service.ts')).toBe(true);
  });

  it('imports no higher layer', () => {
    const violations: string[] = [];
    for (const file of files) {
      for (const { target } of importsOf(file)) {
        const to = moduleOf(target);
        if (to !== file.module && layerOf(to) > layerOf(file.module)) violations.push(`${file.name} (${file.module}) imports ${target} (${to})`);
        if (to !== file.module && layerOf(to) === layerOf(file.module) && layerOf(to) !== FEATURE_LAYER) {
          violations.push(`${file.name} (${file.module}) imports ${target} (${to}) of the same shared layer`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no cycle between modules', () => {
    const edges = new Map<string, Map<string, string>>();
    for (const file of files) {
      for (const { target } of importsOf(file)) {
        const to = moduleOf(target);
        if (to === file.module) continue;
        if (!edges.has(file.module)) edges.set(file.module, new Map());
        const out = edges.get(file.module)!;
        if (!out.has(to)) out.set(to, `${file.name} → ${target}`);
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (module: string) => {
      state.set(module, 'open');
      stack.push(module);
      for (const [to] of edges.get(module) ?? []) {
        if (state.get(to) === 'open') {
          const cycle = [...stack.slice(stack.indexOf(to)), to];
          cycles.push(cycle.map((m, i) => (i + 1 < cycle.length ? `${m} (${edges.get(m)!.get(cycle[i + 1])})` : m)).join(' → '));
        } else if (!state.has(to)) visit(to);
      }
      stack.pop();
      state.set(module, 'done');
    };
    for (const module of [...edges.keys()].sort()) if (!state.has(module)) visit(module);
    expect(cycles).toEqual([]);
  });

  it('names every table of an entity in the ownership table, owned by the module that declares it', () => {
    const wrong: string[] = [];
    for (const file of files) for (const table of entityTables(file)) if (OWNER[table] !== file.module) wrong.push(`${table} (${file.name}): ${OWNER[table]}`);
    expect(wrong).toEqual([]);
  });

  it("touches no other module's table, in SQL or through its entity", () => {
    const crossings = new Map<string, string>();
    for (const file of files) {
      for (const table of tablesOf(file)) if (OWNER[table] !== file.module) crossings.set(`${file.module} → ${table} (${file.name})`, 'sql');
      for (const { target, typeOnly } of importsOf(file)) {
        const entity = byName.get(target);
        // A type-only import borrows the entity's shape and reads nothing; an entity naming the entity of the
        // table it references declares a foreign key.
        if (!entity || typeOnly || moduleOf(target) === file.module || file.name.endsWith('.entity.ts')) continue;
        for (const table of entityTables(entity)) crossings.set(`${file.module} → ${table} (${file.name})`, 'entity');
      }
    }
    const unexpected = [...crossings.keys()].filter((c) => !(c in CROSSINGS)).sort();
    const stale = Object.keys(CROSSINGS)
      .filter((c) => !crossings.has(c))
      .sort();
    expect({ unexpected, stale }).toEqual({ unexpected: [], stale: [] });
  });
});
