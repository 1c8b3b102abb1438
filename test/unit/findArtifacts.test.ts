import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findArtifacts } from '../../engine/find/findArtifacts';
import { taskLibFiles } from './taskLibFind';


describe('findArtifacts matches what tl.findMatch matches (on a tree tl.findMatch can walk)', () => {
    let root: string;

    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-find-'));
        for (const file of ['a.txt', 'b.log', '.hidden.txt', '{a,b}.txt', 'sub/c.txt', 'sub/obj/d.txt', 'sub/deep/e.log', 'sub/deep/.git/f', 'other/g.txt', 'other/Upper.TXT']) {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), file);
        }
    });

    after(() => {
        fs.rmSync(root, { recursive: true, force: true });
    });

    const cases: string[][] = [
        ['**'],
        ['*.txt'],
        ['**/*.txt', '!**/obj/**'],
        ['**', '!sub/**', 'sub/deep/**'],
        ['sub/**/*.log'],
        ['sub'],
        ['sub/c.txt', 'other/g.txt'],
        ['{a,b}.txt'],
        ['**/*.TXT'],
        ['!!a.txt'],
        ['# a comment', 'b.log'],
        ['./a.txt'],
        ['*.txt', '!!a.txt', '!*.txt'],
    ];
    for (const patterns of cases) {
        it(`matches the same files for ${JSON.stringify(patterns)}`, () => {
            const found = findArtifacts(root, patterns, { allowFilesOutsideRoot: false });
            assert.deepEqual(found.files.map((file) => file.relativePath).sort(), taskLibFiles(root, patterns));
            assert.deepEqual(found.notices, []);
        });
    }

    it('matches an absolute pattern the same way', () => {
        const patterns = [path.join(root, 'sub', '**', '*.txt')];
        assert.deepEqual(findArtifacts(root, patterns, { allowFilesOutsideRoot: false }).files.map((file) => file.relativePath).sort(), taskLibFiles(root, patterns));
    });
});
