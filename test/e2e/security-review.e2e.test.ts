import * as assert from 'assert/strict';
import * as fs from 'fs';
import type { FaultRule } from '../emulator';
import { Scenario, TOKEN, summaryOf, startOtherHost } from './harness';
import type { TaskRun } from './taskRunner';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** A host that is not the collection: it answers every request 404. */
const NOT_HERE = { status: 404, body: '{"message":"not here"}' };

/** Everything a reader of the run can see or a later step can read: stdout but the setsecret lines, stderr, the summary and the attachments file. */
function everythingShown(run: TaskRun): string {
    const printed = run.stdout
        .split(/\r?\n/)
        .filter((line) => !line.startsWith('##vso[task.setsecret]'))
        .join('\n');
    const file = run.outputs.AttachmentsFile;
    const attachmentsFile = file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    let summary = '';
    try {
        summary = summaryOf(run);
    } catch {
        summary = '';
    }
    return [printed, run.stderr, summary, attachmentsFile].join('\n');
}

describe('end to end: an attacker\'s review of the token, the log and the summary (security review)', function () {
    this.timeout(60_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    describe('a redirect to another host, at every kind of request', () => {
        const kinds: { name: string; rule: (location: string) => FaultRule; inputs: Record<string, string>; rerun?: boolean }[] = [
            { name: 'the resource-area lookup', rule: (location) => ({ method: 'GET', path: /resourceareas/i, times: Infinity, action: redirect(location) }), inputs: { workItemIds: '101' } },
            { name: "a work item's read", rule: (location) => ({ method: 'GET', path: /\/_apis\/wit\/workitems/i, times: Infinity, action: redirect(location) }), inputs: { workItemIds: '101' } },
            { name: 'the linking PATCH', rule: (location) => ({ method: 'PATCH', times: Infinity, action: redirect(location, 307) }), inputs: { workItemIds: '101' } },
            { name: 'the WIQL query', rule: (location) => ({ method: 'POST', path: /\/_apis\/wit\/wiql/i, times: Infinity, action: redirect(location, 307) }), inputs: { workItemQuery: 'SELECT [System.Id] FROM WorkItems' } },
            { name: "the build's work items", rule: (location) => ({ method: 'GET', path: /\/_apis\/build\/builds\/42\/workitems/i, times: Infinity, action: redirect(location) }), inputs: { linkBuildWorkItems: 'true' } },
            { name: "a claimed attachment's download", rule: (location) => ({ method: 'GET', path: /\/_apis\/wit\/attachments\//i, times: Infinity, action: redirect(location) }), inputs: { workItemIds: '101' }, rerun: true },
        ];
        for (const kind of kinds) {
            it(`sends nothing to another host when ${kind.name} is redirected there`, async () => {
                const other = await startOtherHost(NOT_HERE);
                try {
                    scenario = await Scenario.start({ workItems: [{ id: 101 }], buildWorkItems: { '42': [101] }, wiql: () => ({ workItems: [101] }) });
                    scenario.artifacts.write('app.log', 'log');
                    if (kind.rerun) {
                        const first = await scenario.run({ contents: 'app.log', ...kind.inputs });
                        assert.equal(first.result, 'Succeeded', first.stdout);
                    }
                    scenario.emulator.addFault(kind.rule(`${other.origin}/org/stolen`));

                    const run = await scenario.run({ contents: 'app.log', retries: '0', ...kind.inputs });

                    assert.deepEqual(other.seen, [], `no request reached the other host:\n${run.stdout}`);
                    assert.ok(!everythingShown(run).includes(TOKEN));
                } finally {
                    await other.close();
                }
            });
        }
    });

    it('shows no password of a collection URL that carries user:password, in the log, the result, the summary or the attachments file', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }] });
        scenario.artifacts.write('app.log', 'log');
        // Written percent-encoded, as a URL needs an @ in its password; the URL parser spells the ; as %3B.
        const written = 'p%40ss;w0rd-7c2e91';
        const decoded = 'p@ss;w0rd-7c2e91';
        const id = '5b2f8a61-0c3d-4e7f-9a1b-2c3d4e5f6a7b';
        const url = scenario.emulator.collectionUrl.replace('http://', `http://builder:${written}@`);

        const run = await scenario.run(
            { contents: 'app.log', workItemIds: '101,999', connection: id },
            {
                token: 'the-pipeline-token-is-not-used',
                environment: {
                    [`ENDPOINT_URL_${id}`]: url,
                    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ parameters: { apitoken: TOKEN }, scheme: 'Token' }),
                    [`ENDPOINT_AUTH_SCHEME_${id}`]: 'Token',
                    [`ENDPOINT_AUTH_PARAMETER_${id}_APITOKEN`]: TOKEN,
                },
            },
        );

        const shown = everythingShown(run);
        for (const form of [written, decoded, 'p%40ss%3Bw0rd-7c2e91', 'w0rd-7c2e91']) {
            assert.ok(!shown.includes(form), `${form} in\n${shown}`);
        }
        assert.ok(!shown.includes(TOKEN), shown);
        // The connection's own credential still goes to the collection, and the summary links the work item without the user name.
        assert.equal(run.outputs.LinkedWorkItems, '101');
        assert.ok(summaryOf(run).includes(`[#101](${scenario.emulator.collectionUrl}_workitems/edit/101)`), summaryOf(run));
        assert.ok(scenario.emulator.requests.every((request) => request.headers.authorization === `Basic ${base64(`:${TOKEN}`)}`));
    });

    it('with system.debug=true prints no form of the token a server echoes, on any debug line', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }] });
        scenario.artifacts.write('a.txt', 'a');
        scenario.artifacts.write('b.txt', 'b');
        const echo = `Authorization: Bearer ${TOKEN} ${base64(`:${TOKEN}`)} ${encodeURIComponent(TOKEN)}`;
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: (req) => req.query.fileName === 'a.txt', times: Infinity, action: { kind: 'status', status: 500, body: { message: echo } } });
        scenario.emulator.addFault({ method: 'PATCH', times: Infinity, action: { kind: 'status', status: 400, body: { message: echo } } });

        const run = await scenario.run({ contents: '*.txt', retries: '1', workItemIds: '101' }, { variables: { 'System.Debug': 'true' } });

        assert.ok(run.stdout.includes('##vso[task.debug]'), 'debug lines are printed');
        const shown = everythingShown(run);
        for (const form of [TOKEN, base64(TOKEN), base64(`:${TOKEN}`), base64(`:${TOKEN}`).replace(/=+$/, '')]) {
            assert.ok(!shown.includes(form), `${form} in\n${shown}`);
        }
    });
});

function redirect(location: string, status = 302): FaultRule['action'] {
    return { kind: 'status', status, headers: { Location: location }, body: '' };
}
