import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { AzureDevOpsEmulator, type EmulatorOptions } from '../emulator';
import { testCertificates } from '../emulator/certs';
import { binaryContent, sha256 } from '../e2e/fixtures';
import { PROJECT, type UploadedEntry } from '../e2e/harness';
import { ForwardProxy } from '../proxy/forwardProxy';
import { PackedCli, type CliRun } from './packedCli';

const PAT = 'patpatpatpatpatpatpatpatpatpatpatpatpatpatpatpatpat1';
/** Three base64url parts, the first `{"alg":...`: what an Entra ID access token looks like, so it goes as a bearer token. */
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG8tYXR0YWNoLXRlc3QifQ.c2lnbmF0dXJlLW9mLWEtdGVzdC10b2tlbg';
const MiB = 1024 * 1024;

interface Document {
    attachments: UploadedEntry[];
    linkedWorkItems: number[];
    failed: { path?: string; workItem?: number; reason: string }[];
}

describe('ado-attach: the packed command line against the emulator', function () {
    this.timeout(60_000);
    const cli = new PackedCli();
    let files: string;
    let emulator: AzureDevOpsEmulator | undefined;
    let proxy: ForwardProxy | undefined;

    const content = { 'drop/app.zip': binaryContent(3 * MiB + 17, 3), 'drop/notes.txt': 'release notes\n', 'drop/empty.log': '' };

    before(() => {
        cli.install();
        files = path.join(cli.workspace, 'files');
        for (const [name, bytes] of Object.entries(content)) {
            fs.mkdirSync(path.dirname(path.join(files, name)), { recursive: true });
            fs.writeFileSync(path.join(files, name), bytes);
        }
    });

    after(() => cli.dispose());

    afterEach(async () => {
        await emulator?.stop();
        await proxy?.stop();
        emulator = undefined;
        proxy = undefined;
    });

    async function start(token: string, options: EmulatorOptions = {}): Promise<AzureDevOpsEmulator> {
        emulator = await AzureDevOpsEmulator.start({ token, projects: [PROJECT], ...options });
        return emulator;
    }

    function run(args: readonly string[], environment: Record<string, string>, stdin?: string): Promise<CliRun> {
        return cli.run(args, { environment, stdin, cwd: files });
    }

    /** Every file is on the server exactly once, byte for byte, and the document names those attachments. */
    async function assertUploaded(server: AzureDevOpsEmulator, document: Document, names: string[]): Promise<void> {
        assert.deepEqual(document.attachments.map((entry) => entry.path), names);
        const complete = server.attachments().filter((attachment) => attachment.complete);
        assert.equal(complete.length, names.length);
        for (const entry of document.attachments) {
            const stored = server.attachment(entry.id);
            assert.ok(stored?.complete, `${entry.path} is stored`);
            assert.equal(sha256(await server.download(entry.url)), sha256(content[entry.path as keyof typeof content]), `content of ${entry.path}`);
        }
    }

    it('uploads with a personal access token from AZURE_DEVOPS_EXT_PAT as basic auth, chunked where the file needs it', async () => {
        const server = await start(PAT);

        const result = await run(['--org', server.collectionUrl, '--project', PROJECT.name, '--chunk-size', '1', '--json', 'drop/**'], { AZURE_DEVOPS_EXT_PAT: PAT });

        assert.equal(result.exitCode, 0, result.stderr);
        const document = JSON.parse(result.stdout) as Document;
        await assertUploaded(server, document, ['drop/app.zip', 'drop/empty.log', 'drop/notes.txt']);
        assert.deepEqual(document.attachments.map((entry) => entry.uploadType), ['chunked', 'simple', 'simple']);
        assert.deepEqual(document.failed, []);
        const uploads = server.requests.filter((request) => request.method !== 'GET' && request.path.includes('/_apis/wit/attachments'));
        assert.ok(uploads.every((request) => request.headers.authorization === `Basic ${Buffer.from(`:${PAT}`).toString('base64')}`), 'basic auth, empty user name');
        assert.ok(uploads.every((request) => String(request.headers['user-agent']).startsWith('ado-attach/')), 'the User-Agent names the command');
        assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PAT));
    });

    it('sends SYSTEM_ACCESSTOKEN, and any token shaped like a JWT, as a bearer token, with per-file lines on stdout', async () => {
        const server = await start(JWT);

        const result = await run(['drop/notes.txt'], { SYSTEM_COLLECTIONURI: server.collectionUrl, SYSTEM_TEAMPROJECT: PROJECT.name, SYSTEM_ACCESSTOKEN: JWT });

        assert.equal(result.exitCode, 0, result.stderr);
        assert.match(result.stdout, /^uploaded drop\/notes\.txt \(14 bytes\) http:\/\/127\.0\.0\.1:\d+\/org\/_apis\/wit\/attachments\/[0-9a-f-]+\?fileName=notes\.txt$/m);
        assert.match(result.stdout, /^1 file attached \(14 bytes\)\.$/m);
        assert.match(result.stderr, /token from SYSTEM_ACCESSTOKEN \(bearer token\)/);
        const upload = server.requests.find((request) => request.method === 'POST');
        assert.equal(upload?.headers.authorization, `Bearer ${JWT}`);
        assert.equal(upload?.path, `/org/${PROJECT.name}/_apis/wit/attachments`);
        assert.doesNotMatch(result.stdout + result.stderr, new RegExp(JWT.slice(0, 30)));
    });

    it('reads the token from --token-stdin before the environment, links to a work item, and --json parses back to what the server holds', async () => {
        const server = await start(PAT, { workItems: [{ id: 12 }] });

        const result = await run(
            ['--org', server.collectionUrl, '--project', PROJECT.name, '--token-stdin', '--work-item', '#12', '--json', 'drop/*.txt', 'drop/*.zip'],
            { AZURE_DEVOPS_EXT_PAT: 'not-the-token-this-run-uses', SYSTEM_ACCESSTOKEN: 'nor-this-one' },
            `${PAT}\r\nsecond line is not read\n`,
        );

        assert.equal(result.exitCode, 0, result.stderr);
        const document = JSON.parse(result.stdout) as Document;
        await assertUploaded(server, document, ['drop/app.zip', 'drop/notes.txt']);
        assert.deepEqual(document.linkedWorkItems, [12]);
        const item = server.workItem(12);
        assert.deepEqual(
            item?.relations.filter((relation) => relation.rel === 'AttachedFile').map((relation) => relation.url).sort(),
            document.attachments.map((entry) => entry.url.split('?')[0]).sort(),
        );
        assert.match(result.stderr, /token from standard input/);
        assert.doesNotMatch(result.stdout + result.stderr, new RegExp(PAT));
    });

    it('with --dry-run reads the work items but writes nothing, and prints the plan as one JSON document', async () => {
        const server = await start(PAT, { workItems: [{ id: 5 }, { id: 6 }] });

        const result = await run(
            ['--org', server.collectionUrl, '--project', PROJECT.name, '--dry-run', '--json', '--work-item', '5,6', '--chunk-size', '1', 'drop/**', '!**/*.log'],
            { AZURE_DEVOPS_EXT_PAT: PAT },
        );

        assert.equal(result.exitCode, 0, result.stderr);
        assert.deepEqual(JSON.parse(result.stdout), {
            dryRun: true,
            files: [
                { path: 'drop/app.zip', size: 3 * MiB + 17, uploadType: 'chunked' },
                { path: 'drop/notes.txt', size: 14, uploadType: 'simple' },
            ],
            workItems: [5, 6],
            failed: [],
        });
        const writes = server.requests.filter((request) => !['GET', 'OPTIONS', 'HEAD'].includes(request.method));
        assert.deepEqual(writes.map((request) => `${request.method} ${request.path}`), [], 'no POST, PUT, PATCH or DELETE');
        assert.ok(server.requests.some((request) => request.method === 'GET' && /\/workitems\/5$/i.test(request.path)), 'the work items were read');
        assert.equal(server.attachments().length, 0);
    });

    it('exits 1 when a file fails, with the others uploaded and the failure named in the document', async () => {
        const server = await start(PAT);
        server.addFault({
            method: 'POST',
            path: '/_apis/wit/attachments',
            match: (request) => request.query.fileName === 'notes.txt',
            action: { kind: 'status', status: 400, body: { message: 'TF400898: An Internal Error Occurred.', typeKey: 'InvalidOperationException' } },
        });

        const result = await run(['--org', server.collectionUrl, '--json', '--quiet', 'drop/**'], { AZURE_DEVOPS_EXT_PAT: PAT });

        assert.equal(result.exitCode, 1, result.stderr);
        const document = JSON.parse(result.stdout) as Document;
        await assertUploaded(server, document, ['drop/app.zip', 'drop/empty.log']);
        assert.deepEqual(document.failed, [{ path: 'drop/notes.txt', reason: 'the server rejected the upload (HTTP 400): TF400898: An Internal Error Occurred.' }]);
        assert.match(result.stderr, /^error: drop\/notes\.txt: the server rejected the upload \(HTTP 400\)/m);
    });

    it('names each file not attempted after a refused token once, in its line and in the document', async () => {
        const server = await start(PAT);
        const page = '<!DOCTYPE html><html><head><title>Sign In</title></head><body>Sign in to your account</body></html>';
        server.addFault({ method: 'POST', path: '/_apis/wit/attachments', action: { kind: 'status', status: 203, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: page } });

        const result = await run(['--org', server.collectionUrl, '--json', '--quiet', '--concurrency', '1', 'drop/**'], { AZURE_DEVOPS_EXT_PAT: PAT });

        assert.equal(result.exitCode, 1, result.stderr);
        const document = JSON.parse(result.stdout) as Document;
        const notAttempted = 'not attempted, because an earlier failure would have failed it the same way.';
        assert.deepEqual(
            document.failed.filter((failure) => failure.reason === notAttempted).map((failure) => failure.path),
            ['drop/empty.log', 'drop/notes.txt'],
        );
        assert.match(result.stderr, /^failed: drop\/notes\.txt: not attempted, because/m);
        assert.doesNotMatch(result.stderr, /notes\.txt: drop\/notes\.txt/);
    });

    it('exits 1 in a dry run that names a work item the server does not have', async () => {
        const server = await start(PAT);

        const result = await run(['--org', server.collectionUrl, '--project', PROJECT.name, '--dry-run', '--json', '--work-item', '404', 'drop/notes.txt'], { AZURE_DEVOPS_EXT_PAT: PAT });

        assert.equal(result.exitCode, 1, result.stderr);
        assert.match(result.stderr, /^error: work item #404: work item 404 does not exist, or the identity may not read it \(TF401232\)/m);
        assert.equal(server.requests.filter((request) => request.method === 'POST').length, 0);
    });

    it('goes through the proxy of HTTPS_PROXY to an https collection trusted through NODE_EXTRA_CA_CERTS, and never prints the proxy password', async () => {
        const server = await start(PAT, { tls: { key: testCertificates.serverKey, cert: testCertificates.serverCert, ca: testCertificates.ca } });
        proxy = await ForwardProxy.start({ username: 'builder', password: 'proxy-pass-word-9' });
        const caFile = path.join(cli.workspace, 'ca.pem');
        fs.writeFileSync(caFile, testCertificates.ca);
        const proxyUrl = new URL(proxy.url);
        proxyUrl.username = 'builder';
        proxyUrl.password = 'proxy-pass-word-9';

        const result = await run(['--org', server.collectionUrl, '--json', '--chunk-size', '1', 'drop/app.zip', 'drop/notes.txt'], {
            AZURE_DEVOPS_EXT_PAT: PAT,
            HTTPS_PROXY: proxyUrl.href,
            NODE_EXTRA_CA_CERTS: caFile,
        });

        assert.equal(result.exitCode, 0, result.stderr);
        const commandRequests = [...server.requests];
        await assertUploaded(server, JSON.parse(result.stdout) as Document, ['drop/app.zip', 'drop/notes.txt']);
        const tunnels = proxy.requests.filter((request) => request.kind === 'connect' && request.status === 200);
        assert.ok(tunnels.length > 0, 'CONNECT tunnels were opened');
        const upstream = new Set(proxy.upstreamPorts());
        assert.ok(commandRequests.length > 0 && commandRequests.every((request) => upstream.has(request.remotePort ?? -1)), 'every request came through the proxy');
        assert.doesNotMatch(result.stdout + result.stderr, /proxy-pass-word-9/);
        assert.match(result.stderr, /through proxy http:\/\/127\.0\.0\.1:\d+\/? as builder/);
    });
});
