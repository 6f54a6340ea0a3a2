// Prints Alertmanager's --web.config.file for the stack (docker/make-secrets.sh calls it): one
// basic_auth_users entry per `user=password-file` argument, each password as a bcrypt hash (the only
// form Alertmanager's web config accepts). Uses bcryptjs from this checkout's node_modules (npm ci).
//   node docker/alertmanager-web-config.mjs prometheus=docker/secrets/alertmanager-password-prometheus …
import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';

const users = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf('=');
  if (at <= 0) throw new Error(`expected user=password-file, got ${arg}`);
  const password = readFileSync(arg.slice(at + 1), 'utf8').split(/\r?\n/)[0] ?? '';
  if (password === '') throw new Error(`${arg.slice(at + 1)} is empty`);
  return [arg.slice(0, at), password];
});
if (users.length === 0) throw new Error('usage: alertmanager-web-config.mjs user=password-file ...');
const lines = ['# Alertmanager --web.config.file, written by docker/make-secrets.sh: who may use its API and UI.', 'basic_auth_users:'];
for (const [user, password] of users) lines.push(`  ${user}: ${JSON.stringify(bcrypt.hashSync(password, 10))}`);
process.stdout.write(`${lines.join('\n')}\n`);
