import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { binaryContent } from './fixtures';
import { fsFaultEnvironment, type FsFault } from './fsFaultPreload';
import { Scenario, assertServerHoldsExactly, attachmentsOutput, failureOf } from './harness';
import type { TaskRun } from './taskRunner';

const MiB = 1024 * 1024;

function outputPaths(run: TaskRun): string[] {
    return attachmentsOutput(run).map((entry) => entry.path);
}

function attachedNames(scenario: Scenario, id: number): string[] {
    return (scenario.emulator.workItem(id)?.relations ?? [])
        .filter((relation) => relation.rel === 'AttachedFile')
        .map((relation) => String(relation.attributes.name))
        .sort();
}

describe('end to end: hardening, files (links, outside the root, unreadable and locked files, torn files)', function () {
    this.timeout(60_000);
    let scenario: Scenario;
    const outsideFolders: string[] = [];

    /** A folder next to the artifact folder, as a file elsewhere on the agent (`~/.ssh`, the agent's own folder). */
    function outsideFolder(): string {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-outside-'));
        outsideFolders.push(folder);
        return folder;
    }

    function link(target: string, relativeLink: string): string {
        const linkPath = path.join(scenario.artifacts.root, relativeLink);
        fs.mkdirSync(path.dirname(linkPath), { recursive: true });
        fs.symlinkSync(target, linkPath);
        return linkPath;
    }

    beforeEach(async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }] });
    });

    afterEach(async () => {
        await scenario.stop();
        outsideFolders.splice(0).forEach((folder) => fs.rmSync(folder, { recursive: true, force: true }));
    });

    describe('broken links and loops never fail the run', () => {
        it('ignores a broken link that no pattern matches, even inside a folder that is searched', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            link('does-not-exist.log', 'logs/dangling.log');

            const run = await scenario.run({ contents: '**/*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(run.warnings, []);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('skips a matched broken link with a warning that names it, and uploads the rest', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            link('nowhere.txt', 'gone.txt');

            const run = await scenario.run({ contents: '*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(run.warnings, ["'gone.txt' matches, but it is a symbolic link to 'nowhere.txt', which does not exist: skipped."]);
            assert.deepEqual(outputPaths(run), ['a.txt']);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('ends a walk through a link back to a parent folder and a link to itself, and uploads each file once', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('sub/b.txt', 'beta');
            link(scenario.artifacts.root, 'sub/up');
            link('self', 'self');
            link(path.join(scenario.artifacts.root, 'sub'), 'alias');

            const run = await scenario.run({ contents: '**' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            // `alias/b.txt` is `sub/b.txt` through another path: one upload, under the direct path.
            assert.deepEqual(outputPaths(run), ['a.txt', 'sub/b.txt']);
            assert.match(run.visibleOutput, /'alias\/b\.txt' is another path to 'sub\/b\.txt': that file is uploaded once\./);
            assert.match(run.visibleOutput, /'sub\/up' links back to '.*', a folder already being searched: not searched again\./);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha', 'b.txt': 'beta' });
        });
    });

    describe('files whose real path lies outside rootFolder', () => {
        it('skips a link to a file outside rootFolder, naming the link and its target; uploads it only with allowFilesOutsideRoot', async () => {
            const secret = path.join(outsideFolder(), 'id_rsa');
            fs.writeFileSync(secret, 'private key');
            scenario.artifacts.write('a.txt', 'alpha');
            link(secret, 'link.txt');

            const skipped = await scenario.run({ contents: '*.txt' });

            assert.equal(skipped.result, 'Succeeded', skipped.stdout);
            assert.equal(skipped.warnings.length, 1, skipped.warnings.join('\n'));
            assert.ok(skipped.warnings[0].startsWith(`'link.txt' is a link to '${fs.realpathSync(secret)}', outside 'rootFolder': the 1 matching file(s) through it were skipped.`), skipped.warnings[0]);
            assert.ok(!scenario.uploadRequests().some((request) => request.query.fileName === 'link.txt'), 'nothing was sent for the link');
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });

            const allowed = await scenario.run({ contents: 'link.txt', allowFilesOutsideRoot: 'true' });

            assert.equal(allowed.result, 'Succeeded', allowed.stdout);
            assert.deepEqual(attachmentsOutput(allowed).map(({ path: reported, name }) => [reported, name]), [[fs.realpathSync(secret).split(path.sep).join('/'), 'link.txt']]);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha', 'link.txt': 'private key' });
        });

        it('does not search a linked folder outside rootFolder, with one warning for the link', async () => {
            const elsewhere = outsideFolder();
            fs.writeFileSync(path.join(elsewhere, 'one.log'), '1');
            fs.writeFileSync(path.join(elsewhere, 'two.log'), '2');
            // Were the folder searched, this broken link in it would be reported by name.
            fs.symlinkSync(path.join(elsewhere, 'nowhere'), path.join(elsewhere, 'dangling.log'));
            scenario.artifacts.write('logs/app.log', 'app');
            link(elsewhere, 'logs/external');

            const run = await scenario.run({ contents: '**/*.log' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(run.warnings, [
                `'logs/external' is a link to '${fs.realpathSync(elsewhere)}', a folder outside 'rootFolder': not searched. A link can publish files from elsewhere on the agent (a pull request build runs on contributors' files); set 'allowFilesOutsideRoot' to true to upload its files anyway.`,
            ]);
            await assertServerHoldsExactly(scenario, { 'app.log': 'app' });

            const allowed = await scenario.run({ contents: '**/*.log', allowFilesOutsideRoot: 'true' });

            assert.deepEqual(attachmentsOutput(allowed).map((entry) => entry.name).sort(), ['app.log', 'one.log', 'two.log']);
            assert.ok(allowed.warnings.some((warning) => warning.includes('dangling.log')), 'searched when allowed: its broken link is reported');
        });

        it("walks no further into a contributor's link to the whole disk than the link itself, and says nothing when no pattern reaches into it", async () => {
            scenario.artifacts.write('drop/app.zip', 'zip');
            link(path.parse(os.tmpdir()).root, 'drop/disk');

            const started = Date.now();
            const quiet = await scenario.run({ contents: 'drop/*.zip' });

            assert.equal(quiet.result, 'Succeeded', quiet.stdout);
            assert.deepEqual(quiet.warnings, [], 'drop/*.zip reaches nothing below drop/disk');
            await assertServerHoldsExactly(scenario, { 'app.zip': 'zip' });

            const everything = await scenario.run({ contents: '**' });

            assert.equal(everything.result, 'Succeeded', everything.stdout);
            assert.deepEqual(everything.warnings.map((warning) => warning.slice(0, warning.indexOf(':'))), ["'drop/disk' is a link to '/', a folder outside 'rootFolder'"]);
            assert.ok(Date.now() - started < 20_000, 'the disk was not walked');
            assert.deepEqual(attachmentsOutput(everything).map((entry) => entry.path), ['drop/app.zip']);
        });

        it("skips a '../' pattern and an absolute pattern that lead out of rootFolder", async () => {
            const elsewhere = outsideFolder();
            fs.writeFileSync(path.join(elsewhere, 'credentials.json'), '{"token":"x"}');
            fs.writeFileSync(path.join(elsewhere, 'agent.key'), 'key');
            scenario.artifacts.write('a.txt', 'alpha');

            const run = await scenario.run({ contents: `a.txt\n../${path.basename(elsewhere)}/credentials.json\n${path.join(elsewhere, '*.key')}` });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const real = (name: string) => fs.realpathSync(path.join(elsewhere, name)).split(path.sep).join('/');
            const advice = "skipped. Set 'allowFilesOutsideRoot' to true to upload files from outside 'rootFolder'.";
            assert.deepEqual(run.warnings.sort(), [
                `'../${path.basename(elsewhere)}/agent.key' lies outside 'rootFolder' (it is '${real('agent.key')}'): ${advice}`,
                `'../${path.basename(elsewhere)}/credentials.json' lies outside 'rootFolder' (it is '${real('credentials.json')}'): ${advice}`,
            ]);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });
    });

    describe('folders and files the agent cannot read', () => {
        it('skips a folder it may not read with a warning naming it, and uploads the rest', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            const locked = path.dirname(scenario.artifacts.write('private/b.txt', 'beta'));

            const run = await scenario.run({ contents: '**/*.txt' }, { environment: fsFaultEnvironment([{ path: locked, operation: 'readdir', code: 'EACCES' }]) });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(run.warnings, ["'private' could not be read (EACCES): skipped, with everything in it. Check the agent's permissions on it, or exclude it in 'contents'."]);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('fails a file that stays locked (EBUSY on open) alone, in words, after a few retries', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            const locked = scenario.artifacts.write('app.log', 'still being written');

            const run = await scenario.run({ contents: '*' }, { environment: fsFaultEnvironment([{ path: locked, operation: 'open', code: 'EBUSY' }]) });

            assert.equal(run.result, 'Failed');
            assert.match(failureOf(run, 'app.log'), /^app\.log: the file is locked by another process, or the agent may not read it \(EBUSY, on each of 4 attempts\)/);
            assert.ok(!scenario.uploadRequests().some((request) => request.query.fileName === 'app.log'), 'nothing was sent for the locked file');
            assert.deepEqual(run.outputs.Attachments && outputPaths(run), ['a.txt']);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('uploads a file whose lock is released during the retries', async () => {
            const content = binaryContent(3000, 5);
            const locked = scenario.artifacts.write('scanned.bin', content);

            const run = await scenario.run({ contents: '*' }, { environment: fsFaultEnvironment([{ path: locked, operation: 'open', code: 'EBUSY', times: 2 }]) });

            assert.equal(run.result, 'Succeeded', run.stdout);
            await assertServerHoldsExactly(scenario, { 'scanned.bin': content });
        });

        it('retries a read that fails with EBUSY in the middle of a chunked upload, and stores the file intact', async () => {
            const content = binaryContent(3 * MiB, 6);
            const file = scenario.artifacts.write('big.bin', content);

            const run = await scenario.run({ contents: '*', chunkSizeMB: '1' }, { environment: fsFaultEnvironment([{ path: file, operation: 'read', code: 'EBUSY', from: 2, times: 2 }]) });

            assert.equal(run.result, 'Succeeded', run.stdout);
            await assertServerHoldsExactly(scenario, { 'big.bin': content });
        });

        it('fails a file that stays locked in the middle of its read, in words, and stores no complete copy', async () => {
            const file = scenario.artifacts.write('big.bin', binaryContent(3 * MiB, 7));
            scenario.artifacts.write('other.txt', 'other');

            const run = await scenario.run({ contents: '*', chunkSizeMB: '1' }, { environment: fsFaultEnvironment([{ path: file, operation: 'read', code: 'EBUSY', from: 2 }]) });

            assert.equal(run.result, 'Failed');
            assert.match(failureOf(run, 'big.bin'), /the file is locked by another process, or the agent may not read it \(EBUSY, on each of 4 attempts\)/);
            assert.ok(scenario.emulator.attachments().every((attachment) => attachment.fileName !== 'big.bin' || !attachment.complete));
            await assertServerHoldsExactly(scenario, { 'other.txt': 'other' });
        });
    });

    describe('names', () => {
        it('uploads two files whose names differ only by case, or by ß and SS, each under its name on disk', async () => {
            const files = { 'Report.txt': 'upper', 'report.txt': 'lower', 'straße.txt': 'sharp s', 'STRASSE.txt': 'double s' };
            for (const [name, content] of Object.entries(files)) {
                scenario.artifacts.write(name, content);
            }

            const run = await scenario.run({ contents: '*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(attachmentsOutput(run).map((entry) => [entry.path, entry.name]), [
                ['Report.txt', 'Report.txt'],
                ['STRASSE.txt', 'STRASSE.txt'],
                ['report.txt', 'report.txt'],
                ['straße.txt', 'straße.txt'],
            ]);
            await assertServerHoldsExactly(scenario, files);
        });
    });

    describe('a file replaced or rewritten during its upload', () => {
        /** Whole seconds, so that a restored time is exactly the time that was there: size and mtime then look unchanged. */
        const TIME = 1_700_000_000;
        const changes: [string, (file: string) => void, RegExp][] = [
            [
                'replaced by an atomic rename of a same-size file with the same time',
                (file) => {
                    const replacement = `${file}.new`;
                    fs.writeFileSync(replacement, binaryContent(3 * MiB, 98));
                    fs.utimesSync(replacement, TIME, TIME);
                    fs.renameSync(replacement, file);
                },
                /^big\.bin: another file took this file's place while it was being uploaded/,
            ],
            [
                'rewritten in place with its time restored',
                (file) => {
                    fs.writeFileSync(file, binaryContent(3 * MiB, 99));
                    fs.utimesSync(file, TIME, TIME);
                },
                /^big\.bin: the file changed while it was being uploaded \(it had 3\.00 MiB/,
            ],
        ];
        for (const [change, mutate, message] of changes) {
            it(`fails a file ${change}, in words, and the server holds no complete copy of it`, async () => {
                const file = scenario.artifacts.write('big.bin', binaryContent(3 * MiB, 18));
                fs.utimesSync(file, TIME, TIME);
                scenario.artifacts.write('other.txt', 'other');
                scenario.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'before', run: () => mutate(file) } });

                const run = await scenario.run({ contents: '*', chunkSizeMB: '1', concurrency: '1' });

                assert.equal(run.result, 'Failed', run.stdout);
                assert.match(failureOf(run, 'big.bin'), message);
                const started = scenario.emulator.attachments().filter((attachment) => attachment.fileName === 'big.bin');
                assert.equal(started.length, 1);
                assert.equal(started[0].complete, false, 'no complete attachment holds a mixed copy');
                await assertServerHoldsExactly(scenario, { 'other.txt': 'other' });
            });
        }
    });

    describe('hashing for linking', () => {
        it('fails a file deleted between reading the work item and hashing it alone; the rest are uploaded and linked', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            const doomed = scenario.artifacts.write('b.txt', 'beta');
            scenario.artifacts.write('c.txt', 'gamma');
            scenario.emulator.addFault({ method: 'GET', path: /\/workitems\/101$/i, action: { kind: 'before', run: () => fs.rmSync(doomed) } });

            const run = await scenario.run({ contents: '*.txt', workItemIds: '101' });

            assert.equal(run.result, 'Failed');
            assert.equal(failureOf(run, 'b.txt'), 'b.txt: the file was deleted while its SHA-256 was being computed for linking, so it was neither uploaded nor linked.');
            assert.deepEqual(outputPaths(run), ['a.txt', 'c.txt']);
            assert.deepEqual(attachedNames(scenario, 101), ['a.txt', 'c.txt']);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha', 'c.txt': 'gamma' });
        });

        it('fails a file locked while it is hashed alone, in words; the rest are uploaded and linked', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            const locked = scenario.artifacts.write('b.log', 'held open');
            const faults: FsFault[] = [{ path: locked, operation: 'open', code: 'EBUSY' }];

            const run = await scenario.run({ contents: '*', workItemIds: '101' }, { environment: fsFaultEnvironment(faults) });

            assert.equal(run.result, 'Failed');
            assert.match(failureOf(run, 'b.log'), /^b\.log: the file is locked by another process, or the agent may not read it \(EBUSY, on each of 4 attempts\), while its SHA-256 was being computed for linking/);
            assert.deepEqual(outputPaths(run), ['a.txt']);
            assert.deepEqual(attachedNames(scenario, 101), ['a.txt']);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });
    });
});
