import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { PackedCli } from './packedCli';

const PAT = 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst';

describe('ado-attach: an attacker\'s review of what it prints (security review)', function () {
    this.timeout(60_000);
    const cli = new PackedCli();
    let files: string;

    before(() => {
        cli.install();
        files = path.join(cli.workspace, 'files');
        fs.mkdirSync(path.join(files, 'dist'), { recursive: true });
        fs.writeFileSync(path.join(files, 'dist', 'notes.txt'), 'notes');
    });

    after(() => cli.dispose());

    it('refuses a collection URL with user:password without printing the password, from --org or AZURE_DEVOPS_ORG_URL', async () => {
        const url = 'https://builder:s3cret-Org-Pass@dev.azure.com/fabrikam/';
        const fromOption = await cli.run(['--dry-run', '--org', url, 'dist/**'], { environment: { AZURE_DEVOPS_EXT_PAT: PAT }, cwd: files });
        const fromEnvironment = await cli.run(['--dry-run', 'dist/**'], { environment: { AZURE_DEVOPS_EXT_PAT: PAT, AZURE_DEVOPS_ORG_URL: url }, cwd: files });

        assert.equal(fromOption.exitCode, 2);
        assert.equal(fromOption.stderr, "error: Option '--org' is 'https://***@dev.azure.com/fabrikam/', but it must be a collection URL without user name, password, query or fragment.\n");
        assert.equal(fromEnvironment.exitCode, 2);
        assert.match(fromEnvironment.stderr, /^error: AZURE_DEVOPS_ORG_URL is 'https:\/\/\*\*\*@dev\.azure\.com\/fabrikam\/', but/);
        assert.doesNotMatch(fromOption.stdout + fromOption.stderr + fromEnvironment.stdout + fromEnvironment.stderr, /s3cret-Org-Pass/);
    });
});
