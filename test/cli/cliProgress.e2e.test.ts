import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { AzureDevOpsEmulator } from '../emulator';
import { PROJECT } from '../e2e/harness';
import { PackedCli } from './packedCli';
import { ttyEnvironment } from './ttyPreload';

const PAT = 'patpatpatpatpatpatpatpatpatpatpatpatpatpatpatpatpat2';

/** Every state of the bar drawn on stderr, in order: each is `\r<bar>\x1b[K`; clearing it is `\r\x1b[K`. */
function barsIn(stderr: string): string[] {
    return [...stderr.matchAll(/\r(\[[#-]{20}\][^\r\x1b]*)\x1b\[K/g)].map((match) => match[1]);
}

describe('ado-attach: the progress bar on a terminal', function () {
    this.timeout(60_000);
    const cli = new PackedCli();
    let files: string;
    let emulator: AzureDevOpsEmulator | undefined;

    before(() => {
        cli.install();
        files = path.join(cli.workspace, 'files');
        fs.mkdirSync(files, { recursive: true });
    });

    after(() => cli.dispose());

    afterEach(async () => {
        await emulator?.stop();
        emulator = undefined;
    });

    function write(name: string, content: string): void {
        fs.writeFileSync(path.join(files, name), content);
    }

    it('reaches every file done when some or all files are reused, none of their bytes counted as still to send', async () => {
        const server = (emulator = await AzureDevOpsEmulator.start({ token: PAT, projects: [PROJECT], workItems: [{ id: 12 }] }));
        const run = () => cli.run(['--org', server.collectionUrl, '--project', PROJECT.name, '--work-item', '12', 'a.txt', 'b.txt'], { environment: { AZURE_DEVOPS_EXT_PAT: PAT, ...ttyEnvironment() }, cwd: files });
        write('a.txt', 'stays the same');
        write('b.txt', 'first version');
        const first = await run();
        assert.equal(first.exitCode, 0, first.stderr);
        assert.match(barsIn(first.stderr).pop() ?? '', /^\[#{20}\] 2\/2 files /, 'the bar is drawn into the pipe, as on a terminal');

        write('b.txt', 'second version');
        const mixed = await run();

        assert.equal(mixed.exitCode, 0, mixed.stderr);
        assert.match(mixed.stderr, /a\.txt: already attached/);
        assert.match(mixed.stdout, /^uploaded b\.txt /m);
        assert.match(barsIn(mixed.stderr).pop() ?? '', /^\[#{20}\] 2\/2 files /, JSON.stringify(barsIn(mixed.stderr)));

        const allReused = await run();

        assert.equal(allReused.exitCode, 0, allReused.stderr);
        assert.doesNotMatch(allReused.stdout, /^uploaded /m);
        assert.match(barsIn(allReused.stderr).pop() ?? '', /^\[#{20}\] 2\/2 files {2}0\.00 MiB of 0\.00 MiB /, JSON.stringify(barsIn(allReused.stderr)));
    });
});
