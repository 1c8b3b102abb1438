import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { AzureDevOpsEmulator } from '../emulator';
import { PackedCli } from './packedCli';

const PAT = 'patpatpatpatpatpatpatpatpatpatpatpatpatpatpatpatpat2';
const PROJECT = { id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' };
const QUERY = "SELECT [System.Id] FROM WorkItems WHERE [System.Tags] CONTAINS 'drop'";

describe('ado-attach: --query and --max-work-items against the emulator', function () {
    this.timeout(60_000);
    const cli = new PackedCli();
    let emulator: AzureDevOpsEmulator | undefined;

    before(() => {
        cli.install();
        fs.mkdirSync(path.join(cli.workspace, 'files'), { recursive: true });
        fs.writeFileSync(path.join(cli.workspace, 'files', 'notes.txt'), 'notes\n');
    });

    after(() => cli.dispose());

    afterEach(async () => {
        await emulator?.stop();
        emulator = undefined;
    });

    it('links to the work items the query finds and the named ones, and refuses more than --max-work-items before any upload', async () => {
        emulator = await AzureDevOpsEmulator.start({ token: PAT, projects: [PROJECT], workItems: [{ id: 12 }, { id: 13 }, { id: 14 }], wiql: () => ({ workItems: [12, 13] }) });
        const args = ['--org', emulator.collectionUrl, '--project', PROJECT.name, '--query', QUERY, '--work-item', '14', '--json', 'notes.txt'];
        const environment = { AZURE_DEVOPS_EXT_PAT: PAT };
        const cwd = path.join(cli.workspace, 'files');

        const refused = await cli.run([...args, '--max-work-items', '2'], { environment, cwd });

        assert.equal(refused.exitCode, 1, refused.stderr);
        assert.match(refused.stderr, /3 work items were selected \('--work-item' \(1\), '--query' \(2\)\), more than '--max-work-items' allows \(2\)/);
        assert.equal(emulator.attachments().length, 0, 'nothing uploaded');
        // Exit 1 still prints the one document, the run's failure in it.
        const document = JSON.parse(refused.stdout) as { attachments: unknown[]; failed: { reason: string }[] };
        assert.deepEqual(document.attachments, []);
        assert.match(document.failed[0]?.reason ?? '', /more than '--max-work-items' allows \(2\)/);

        const result = await cli.run(args, { environment, cwd });

        assert.equal(result.exitCode, 0, result.stderr);
        assert.deepEqual((JSON.parse(result.stdout) as { linkedWorkItems: number[] }).linkedWorkItems, [14, 12, 13]);
        assert.deepEqual(emulator.wiqlQueries, [QUERY, QUERY]);
    });

    it('says that the query found nothing when it selects no work item, rather than that none was named', async () => {
        emulator = await AzureDevOpsEmulator.start({ token: PAT, projects: [PROJECT], workItems: [{ id: 12 }], wiql: () => ({ workItems: [] }) });
        const args = ['--org', emulator.collectionUrl, '--project', PROJECT.name, '--query', QUERY, 'notes.txt'];

        const result = await cli.run(args, { environment: { AZURE_DEVOPS_EXT_PAT: PAT }, cwd: path.join(cli.workspace, 'files') });

        assert.equal(result.exitCode, 0, result.stderr);
        assert.match(result.stderr, /No work item to attach the files to: neither --work-item nor --query selected any\./);
        assert.doesNotMatch(result.stderr, /none was named with --work-item/);
        assert.equal(emulator.attachments().length, 1, 'the file is still uploaded');
    });
});
