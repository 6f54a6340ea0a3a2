// One test file's CLI under test: the built CLI bundle and the file's API (buildApi over the recording
// ControllerPort) listening on a free loopback port, set up before the file's tests and torn down after
// them. The fields are filled in by the beforeAll hook, so read them inside tests, not at module load.
import { afterAll, beforeAll } from 'vitest';
import { TOKEN, resetFixture, type ApiFixture } from '../http/api-fixtures.js';
import { sampleEntry, sampleStatus } from '../http/recording-controller.js';
import { buildCliBundle, type CliBundle } from './cli-harness.js';

export interface ListeningCli {
  bundle: CliBundle;
  /** The API's base URL, http://127.0.0.1:<port>. */
  url: string;
  /** GUARDRAIL_URL and GUARDRAIL_TOKEN for runCli. */
  env: Record<string, string>;
}

export function listeningCli(app: ApiFixture['app']): ListeningCli {
  const cli = { url: '', env: {} } as ListeningCli;
  beforeAll(async () => {
    [cli.bundle] = await Promise.all([buildCliBundle(), app.listen({ host: '127.0.0.1', port: 0 })]);
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    cli.url = `http://127.0.0.1:${address.port}`;
    cli.env = { GUARDRAIL_URL: cli.url, GUARDRAIL_TOKEN: TOKEN };
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await cli.bundle?.remove();
  });
  return cli;
}

/** Before each operator-command test: one sample target and history entry; rollback and rollforward wait for their operation, which runs and is done. */
export function resetOperatorFixture(fixture: ApiFixture): void {
  resetFixture(fixture);
  fixture.controller.targets = [sampleStatus()];
  fixture.controller.entries = [sampleEntry()];
  fixture.controller.operationOutcome = { status: 'done', message: 'now rolled_back' };
}
