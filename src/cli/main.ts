import { parseArgs } from 'node:util';
import { loadConfig } from '../kernel/config.js';
import { VigilError } from '../kernel/errors.js';
import { auditVerifyCommand } from './audit-command.js';
import { DC09_SEND_USAGE, dc09SendCommand } from './dc09-send-command.js';
import { mosquittoAclCommand } from './mosquitto-command.js';
import { demoCommand, importOsmCommand, migrateCommand } from './store-commands.js';
import { retentionRunCommand } from './retention-command.js';
import { vulnImportCommand } from './vuln-command.js';
import { serveCommand } from './serve-command.js';
import { userAddCommand } from './user-command.js';
import { initCommand, orgAddCommand } from './init-command.js';
import { ORG_KINDS } from '../identity/contract.js';

const USAGE = `Usage: vigil <command> [options]

Commands:
  serve                      serve the API and web UI (loads the demo city on an empty store)
  demo [--allow-database]    load the demo city, organisations and users into an empty store
                             (with the published password only on a loopback VIGIL_HOST and SQLite; --allow-database: PostgreSQL too)
  init --org-name NAME --admin USERNAME [--display-name N] [--osm FILE]
                             a real installation from an empty store: the platform organisation, its first
                             administrator (password from VIGIL_NEW_USER_PASSWORD or stdin; then the
                             authenticator code for the printed otpauth URI) and the city's extract
  org add --name NAME --kind KIND
                             add an organisation (kinds: ${ORG_KINDS.join(', ')})
  import-osm FILE [--org ORG] import a city from an OpenStreetMap extract (.osm, .osm.gz or .osm.pbf);
                             owned by the platform organisation unless --org (id or name)
  audit verify               recompute the audit hash chain; exit 1 if it is broken
  retention run              shred the keys of personal data past their retention period now (docs/privacy.md)
  user add --username U --org ORG --roles r1,r2 [--display-name N] [--password-stdin]
                             add a user (password from VIGIL_NEW_USER_PASSWORD or stdin)
  migrate                    apply store schema migrations and report the event count
  dc09-send --account A ...  send SIA DC-09 frames to a receiver as a panel would (see: vigil dc09-send --help)
  mosquitto-acl [--vigil-user U]
                             print the Mosquitto acl_file for the registered MQTT devices and units (docs/security.md)
  vuln import [PATH]         import CVE JSON 5 records and the CISA KEV catalogue, offline (a folder with cve/ and kev/,
                             a folder of records or one file; default VIGIL_VULN_DATA_DIR; docs/device-security.md)

Configuration comes from VIGIL_* environment variables (see README).`;

/** `vigil <command> --help`: the command's own lines of the usage (dc09-send has its own, longer). */
export function commandHelp(command: string): string | null {
  if (command === 'dc09-send') return `Usage: ${DC09_SEND_USAGE}`;
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^  ${command.replace(/[-]/g, '\\-')}(\\s|$)`).test(l));
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && /^ {10,}\S/.test(lines[end]!)) end++;
  return `Usage: vigil ${lines
    .slice(start, end)
    .map((l) => l.trim())
    .join('\n  ')}\n\nConfiguration comes from VIGIL_* environment variables (see README).`;
}

/** Entry of bin/vigil.js; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command && (rest.includes('--help') || rest.includes('-h'))) {
    const help = commandHelp(command);
    if (help) {
      console.log(help);
      return 0;
    }
  }
  try {
    const config = loadConfig();
    switch (command) {
      case 'serve':
        return await serveCommand(config);
      case 'demo': {
        const { values } = parseArgs({ args: rest, options: { 'allow-database': { type: 'boolean' } } });
        return await demoCommand(config, { allowDatabase: values['allow-database'] ?? false });
      }
      case 'import-osm': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { org: { type: 'string' } } });
        if (positionals.length !== 1) return usage('import-osm takes one FILE');
        return await importOsmCommand(config, positionals[0]!, values.org);
      }
      case 'init': {
        const { values } = parseArgs({
          args: rest,
          options: { 'org-name': { type: 'string' }, admin: { type: 'string' }, 'display-name': { type: 'string' }, osm: { type: 'string' } },
        });
        if (!values['org-name'] || !values.admin) return usage('init needs --org-name and --admin');
        return await initCommand(config, {
          orgName: values['org-name'],
          admin: values.admin,
          ...(values['display-name'] ? { displayName: values['display-name'] } : {}),
          ...(values.osm ? { osm: values.osm } : {}),
        });
      }
      case 'org': {
        if (rest[0] !== 'add') return usage('org takes the subcommand add');
        const { values } = parseArgs({ args: rest.slice(1), options: { name: { type: 'string' }, kind: { type: 'string' } } });
        if (!values.name || !values.kind) return usage('org add needs --name and --kind');
        return await orgAddCommand(config, { name: values.name, kind: values.kind });
      }
      case 'audit':
        if (rest[0] !== 'verify') return usage('audit takes the subcommand verify');
        return await auditVerifyCommand(config);
      case 'retention':
        if (rest[0] !== 'run') return usage('retention takes the subcommand run');
        return await retentionRunCommand(config);
      case 'vuln': {
        if (rest[0] !== 'import') return usage('vuln takes the subcommand import');
        const { positionals } = parseArgs({ args: rest.slice(1), allowPositionals: true, options: {} });
        if (positionals.length > 1) return usage('vuln import takes at most one PATH');
        return await vulnImportCommand(config, positionals[0]);
      }
      case 'user': {
        if (rest[0] !== 'add') return usage('user takes the subcommand add');
        const { values } = parseArgs({
          args: rest.slice(1),
          options: {
            username: { type: 'string' },
            org: { type: 'string' },
            roles: { type: 'string' },
            'display-name': { type: 'string' },
            'password-stdin': { type: 'boolean' },
          },
        });
        if (!values.username || !values.org || !values.roles) return usage('user add needs --username, --org and --roles');
        return await userAddCommand(config, {
          username: values.username,
          org: values.org,
          roles: values.roles
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean),
          displayName: values['display-name'] ?? values.username,
          passwordFromStdin: values['password-stdin'] ?? false,
        });
      }
      case 'dc09-send':
        return await dc09SendCommand(rest);
      case 'migrate':
        return await migrateCommand(config);
      case 'mosquitto-acl': {
        const { values } = parseArgs({ args: rest, options: { 'vigil-user': { type: 'string' } } });
        return await mosquittoAclCommand(config, values['vigil-user']);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return usage(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof VigilError) {
      console.error(`vigil: ${error.message}${error.details ? ` ${JSON.stringify(error.details)}` : ''}`);
      return 1;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return usage(error.message);
    }
    console.error(error);
    return 1;
  }
}

function usage(problem: string): number {
  console.error(`vigil: ${problem}\n\n${USAGE}`);
  return 2;
}
