import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { testCertificates, type EmulatorOptions } from '../emulator';
import { ForwardProxy } from '../proxy/forwardProxy';
import { binaryContent, sha256 } from './fixtures';
import { Scenario, TOKEN, assertServerHoldsExactly, failureOf } from './harness';
import { taskEntry, variableToEnvironment, type TaskRun } from './taskRunner';

const MiB = 1024 * 1024;
const PROXY_USER = 'agent-proxy-user';
const PROXY_PASSWORD = 'proxy-secret-7b1e';

/** Secret variables the way the agent passes them: SECRET_<NAME> in the environment, their names in VSTS_SECRET_VARIABLES. */
function secretVariables(secrets: Record<string, string>): Record<string, string> {
    const environment: Record<string, string> = { VSTS_SECRET_VARIABLES: JSON.stringify(Object.keys(secrets)) };
    for (const [name, value] of Object.entries(secrets)) {
        environment[`SECRET_${variableToEnvironment(name)}`] = value;
    }
    return environment;
}

/** The agent's proxy settings as variables (the password as a secret), for runTask. */
function behindProxy(proxy: ForwardProxy, password = PROXY_PASSWORD, bypass?: string[]) {
    return {
        variables: {
            'Agent.ProxyUrl': proxy.url,
            'Agent.ProxyUsername': PROXY_USER,
            ...(bypass ? { 'Agent.ProxyBypassList': JSON.stringify(bypass) } : {}),
        },
        environment: secretVariables({ 'Agent.ProxyPassword': password }),
    };
}

/** Certificates as the agent gets them: files on disk, named by Agent.CAInfo, Agent.ClientCert and Agent.ClientCertKey. */
class CertificateFiles {
    readonly folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-certs-'));
    readonly ca = this.write('ca.pem', testCertificates.ca);
    readonly clientCert = this.write('client.pem', testCertificates.clientCert);
    readonly clientKey = this.write('client.key', testCertificates.clientKey);

    dispose(): void {
        fs.rmSync(this.folder, { recursive: true, force: true });
    }

    private write(name: string, content: string): string {
        const file = path.join(this.folder, name);
        fs.writeFileSync(file, content);
        return file;
    }
}

function httpsEmulator(requestCert = false): EmulatorOptions {
    return { tls: { key: testCertificates.serverKey, cert: testCertificates.serverCert, ca: testCertificates.ca, requestCert } };
}

/** Every file below `folder`, recursively. */
function filesBelow(folder: string): string[] {
    return fs.readdirSync(folder, { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('end to end: the agent\'s proxy and certificate settings', function () {
    this.timeout(60_000);
    let scenario: Scenario;
    let proxy: ForwardProxy | undefined;
    const certificates = new CertificateFiles();
    const runs: TaskRun[] = [];

    afterEach(async () => {
        await scenario.stop();
        await proxy?.stop();
        proxy = undefined;
        for (const run of runs.splice(0)) {
            fs.rmSync(run.tempDirectory, { recursive: true, force: true });
        }
    });

    after(() => certificates.dispose());

    async function run(inputs: Record<string, string>, extra: { variables?: Record<string, string>; environment?: Record<string, string> } = {}): Promise<TaskRun> {
        const result = await scenario.run(inputs, extra);
        runs.push(result);
        return result;
    }

    /** Nothing went around the proxy: the emulator saw every request come from one of the proxy's own connections. Call it before downloading. */
    function assertAllThroughProxy(through: ForwardProxy): void {
        const ports = through.upstreamPorts();
        const requests = scenario.emulator.requests;
        assert.ok(requests.length > 0);
        const around = requests.filter((request) => request.remotePort === undefined || !ports.has(request.remotePort));
        assert.deepEqual(around.map((request) => `${request.method} ${request.path}`), [], 'requests that did not come through the proxy');
    }

    describe('a proxy that requires credentials', () => {
        it('carries every request through CONNECT with the agent\'s credentials: negotiation, creates and chunks', async () => {
            scenario = await Scenario.start();
            proxy = await ForwardProxy.start({ username: PROXY_USER, password: PROXY_PASSWORD });
            const big = binaryContent(2 * MiB + 7, 21);
            scenario.artifacts.write('small.txt', 'small');
            scenario.artifacts.write('big.bin', big);

            const result = await run({ contents: '*', chunkSizeMB: '1' }, behindProxy(proxy));

            assert.equal(result.result, 'Succeeded', result.stdout);
            assertAllThroughProxy(proxy);
            await assertServerHoldsExactly(scenario, { 'small.txt': 'small', 'big.bin': big });
            const kinds = new Set(scenario.emulator.requests.filter((request) => request.remotePort !== undefined).map((request) => `${request.method} ${request.path.replace(/^.*\/_apis\//, '')}`));
            for (const expected of ['OPTIONS Location', 'GET ResourceAreas', 'OPTIONS wit', 'POST wit/attachments']) {
                assert.ok(kinds.has(expected), `${expected} went through the proxy: ${[...kinds].join(', ')}`);
            }
            assert.equal(scenario.emulator.requests.filter((request) => request.method === 'PUT').length, 3);
            const expectedAuthorization = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;
            assert.ok(proxy.requests.every((request) => request.kind === 'connect' && request.status === 200), 'only CONNECT tunnels, all established');
            assert.ok(proxy.requests.every((request) => request.headers['proxy-authorization'] === expectedAuthorization));
            assert.ok(proxy.requests.every((request) => request.headers.authorization === undefined), 'the token never goes to the proxy itself');
            assert.ok(!result.visibleOutput.includes(PROXY_PASSWORD), 'the proxy password is not printed');
        });

        it('fails at once, naming the proxy credentials, when the proxy refuses them', async () => {
            scenario = await Scenario.start();
            proxy = await ForwardProxy.start({ username: PROXY_USER, password: PROXY_PASSWORD });
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('b.txt', 'beta');

            const result = await run({ contents: '*', concurrency: '1' }, behindProxy(proxy, 'not-the-password'));

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'a.txt'), /^a\.txt: the agent's proxy refused its credentials \(HTTP 407 Proxy Authentication Required\)\. .*Agent\.ProxyUsername and Agent\.ProxyPassword/);
            assert.match(failureOf(result, 'b.txt'), /not attempted/);
            // The negotiation's first two requests go out together (issue 11): each is refused once, and neither is retried.
            const statuses = proxy.requests.map((request) => request.status);
            assert.ok(statuses.length >= 1 && statuses.length <= 2 && statuses.every((status) => status === 407), `refused credentials are not retried: ${statuses.join(', ')}`);
            assert.equal(scenario.emulator.requests.length, 0);
        });

        it('goes direct to a collection on the bypass list', async () => {
            scenario = await Scenario.start();
            proxy = await ForwardProxy.start({ username: PROXY_USER, password: PROXY_PASSWORD });
            scenario.artifacts.write('a.txt', 'alpha');
            const bypass = [`^http://127\\.0\\.0\\.1:${scenario.emulator.port}/`];

            const result = await run({ contents: 'a.txt' }, behindProxy(proxy, PROXY_PASSWORD, bypass));

            assert.equal(result.result, 'Succeeded', result.stdout);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
            assert.deepEqual(proxy.requests, [], 'the proxy saw nothing');
        });

        it('tunnels to an HTTPS collection, trusting it through Agent.CAInfo', async () => {
            scenario = await Scenario.start(httpsEmulator());
            proxy = await ForwardProxy.start({ username: PROXY_USER, password: PROXY_PASSWORD });
            const big = binaryContent(MiB + 1, 22);
            scenario.artifacts.write('big.bin', big);
            const settings = behindProxy(proxy);

            const result = await run({ contents: '*', chunkSizeMB: '1' }, { ...settings, variables: { ...settings.variables, 'Agent.CAInfo': certificates.ca } });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assertAllThroughProxy(proxy);
            await assertServerHoldsExactly(scenario, { 'big.bin': big });
        });
    });

    describe('TLS', () => {
        it('trusts the collection\'s certificate through Agent.CAInfo', async () => {
            scenario = await Scenario.start(httpsEmulator());
            const big = binaryContent(MiB + 1, 23);
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('big.bin', big);

            const result = await run({ contents: '*', chunkSizeMB: '1' }, { variables: { 'Agent.CAInfo': certificates.ca } });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.ok(scenario.emulator.collectionUrl.startsWith('https://'));
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha', 'big.bin': big });
        });

        it('fails without the CA, naming the certificate problem, Agent.CAInfo and --sslcacert, and sends nothing', async () => {
            scenario = await Scenario.start(httpsEmulator());
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('b.txt', 'beta');

            const result = await run({ contents: '*', concurrency: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(
                failureOf(result, 'a.txt'),
                /^a\.txt: the server's TLS certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE): [^\n]+\)\. Give the agent the certificate authority \(agent configuration --sslcacert, or Agent\.CAInfo\)/,
            );
            assert.match(failureOf(result, 'b.txt'), /not attempted/);
            assert.equal(scenario.emulator.requests.length, 0, 'no request got past the handshake');
        });

        it('honours Agent.SkipCertValidation=true', async () => {
            scenario = await Scenario.start(httpsEmulator());
            scenario.artifacts.write('a.txt', 'alpha');

            const result = await run({ contents: 'a.txt' }, { variables: { 'Agent.SkipCertValidation': 'true' } });

            assert.equal(result.result, 'Succeeded', result.stdout);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('presents the client certificate of Agent.ClientCert and Agent.ClientCertKey on every request', async () => {
            scenario = await Scenario.start(httpsEmulator(true));
            const big = binaryContent(MiB + 1, 24);
            scenario.artifacts.write('big.bin', big);

            const result = await run(
                { contents: '*', chunkSizeMB: '1' },
                { variables: { 'Agent.CAInfo': certificates.ca, 'Agent.ClientCert': certificates.clientCert, 'Agent.ClientCertKey': certificates.clientKey } },
            );

            assert.equal(result.result, 'Succeeded', result.stdout);
            const requests = scenario.emulator.requests;
            assert.ok(requests.length >= 5);
            assert.ok(requests.every((request) => request.clientCertAuthorized === true), 'node-api and the uploads both presented it');
            const stored = scenario.emulator.attachments();
            assert.deepEqual(stored.map((attachment) => [attachment.fileName, attachment.complete, attachment.sha256]), [['big.bin', true, sha256(big)]]);
        });

        it('fails clearly when the server requires a client certificate the agent does not have', async () => {
            scenario = await Scenario.start(httpsEmulator(true));
            scenario.artifacts.write('a.txt', 'alpha');

            const result = await run({ contents: 'a.txt' }, { variables: { 'Agent.CAInfo': certificates.ca } });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'a.txt'), /^a\.txt: the server requires a client certificate and ended the TLS handshake \(ERR_SSL_[A-Z0-9_]+\).*Agent\.ClientCert and Agent\.ClientCertKey/);
            assert.equal(scenario.emulator.attachments().length, 0);
        });
    });

    describe('the token', () => {
        it('never appears in the visible output, in any file the task writes, or in a request to another host', async () => {
            scenario = await Scenario.start();
            proxy = await ForwardProxy.start({ username: PROXY_USER, password: PROXY_PASSWORD });
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('big.bin', binaryContent(MiB + 1, 25));
            scenario.artifacts.write('rejected.txt', 'nope');
            // Retries and a failure, so that the retry and failure messages are in the output too.
            scenario.emulator.addFault({ method: 'PUT', action: { kind: 'status', status: 500 } });
            scenario.emulator.addFault({ method: 'POST', match: (req) => req.query.fileName === 'rejected.txt', action: { kind: 'status', status: 400 } });
            const taskFolder = path.dirname(path.dirname(taskEntry()));
            const taskFilesBefore = filesBelow(taskFolder).sort();

            const result = await run({ contents: '*', chunkSizeMB: '1' }, behindProxy(proxy));

            assert.equal(result.result, 'Failed', result.stdout);
            assert.match(failureOf(result, 'rejected.txt'), /HTTP 400/);
            const secrets = [TOKEN, Buffer.from(TOKEN).toString('base64'), PROXY_PASSWORD];
            const shown = result.visibleOutput.split('\n').filter((line) => !line.startsWith('##vso[task.setsecret]'));
            for (const secret of secrets) {
                assert.ok(!shown.join('\n').includes(secret), 'a secret is in the visible output');
                assert.ok(!result.stderr.includes(secret), 'a secret is on stderr');
            }
            const written = [...filesBelow(result.tempDirectory), ...filesBelow(scenario.artifacts.root)];
            assert.ok(written.some((file) => file.endsWith('.md')), `the summary is among the files scanned: ${written.join(', ')}`);
            for (const file of written) {
                const content = fs.readFileSync(file);
                for (const secret of secrets) {
                    assert.ok(!content.includes(secret), `${file} holds a secret`);
                }
            }
            assert.deepEqual(filesBelow(taskFolder).sort(), taskFilesBefore, 'the task wrote nothing into its own folder (.taskkey goes to Agent.TempDirectory)');
            const toProxy = JSON.stringify(proxy.requests.map((request) => request.headers));
            assert.ok(!toProxy.includes(TOKEN) && !/"authorization"/i.test(toProxy), 'the proxy itself never saw the token');
            assertAllThroughProxy(proxy);
            assert.ok(scenario.emulator.requests.every((request) => request.headers.authorization === `Bearer ${TOKEN}`), 'the token went to the collection');
        });
    });
});
