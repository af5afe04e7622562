import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The first start of an empty registry with no BOOTSTRAP_ADMIN_* variables creates one system
 * administrator with a random password and leaves that password in a file only the registry's
 * operating-system user can read, so a newcomer can sign in without reading the configuration.
 */
export const INITIAL_ADMIN_EMAIL = 'admin@registry.example';
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

export interface InitialAdministrator {
  email: string;
  /** Where the generated password was written; absent when BOOTSTRAP_ADMIN_PASSWORD gave it. */
  passwordFile?: string;
}

/** 144 random bits, URL-safe: nothing for a strength estimator to object to. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Written beside the data, mode 0600, through a temporary file so a reader never sees half of it. */
export function writePasswordFile(dataDir: string, password: string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const target = path.resolve(dataDir, INITIAL_ADMIN_PASSWORD_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, password + '\n', { mode: 0o600 });
  fs.chmodSync(temporary, 0o600); // the mode option does not apply to a file that already existed
  fs.renameSync(temporary, target);
  return target;
}

/** The lines `npm start` prints after listening, telling how to sign in. */
export function signInHint(admin: InitialAdministrator, baseUrl: string): string {
  if (!admin.passwordFile) return `created the administrator ${admin.email} from BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD\n`;
  return [
    `first start: created the administrator ${admin.email}; its password is in ${admin.passwordFile} (readable only by this user)`,
    `  sign in at ${baseUrl}/console, or: curl -s ${baseUrl}/auth/token -H 'content-type: application/json' \\`,
    `    -d "{\\"grantType\\":\\"password\\",\\"email\\":\\"${admin.email}\\",\\"password\\":\\"$(cat ${admin.passwordFile})\\"}"`,
    '',
  ].join('\n');
}
