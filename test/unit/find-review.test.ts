import * as assert from 'assert/strict';
import fs = require('fs');
import * as os from 'os';
import * as path from 'path';
import minimatch from 'minimatch';
import * as sinon from 'sinon';
import { findArtifacts } from '../../engine/find/findArtifacts';
import { taskLibFiles } from './taskLibFind';
import { isInsideRoot, matchOptions, patternSearch, reportedPath, rootedExclude, spellAsOnDisk, withoutDotSegments } from '../../engine/find/artifactPaths';
import { existingFolder } from '../../engine/inputRules';

const { win32, posix } = path;


function ourFiles(root: string, patterns: string[]) {
    const found = findArtifacts(root, patterns, { allowFilesOutsideRoot: false });
    return { files: found.files.map((file) => file.relativePath).sort(), notices: found.notices };
}

/** Names a pipeline author meets: spaces, glob characters, `#` and `!` at the start, a `\` (a name character on Linux). */
const TREE = [
    'a.txt',
    'b.log',
    'a b.txt',
    '[x].txt',
    '(y).txt',
    '#h.txt',
    '!n.txt',
    '+(p).txt',
    '@(q).txt',
    'a?.txt',
    'a*.txt',
    'back\\slash.txt',
    'x',
    'dir/f.txt',
    'dir/.dot',
    'dir/sub/g.txt',
    'dir/sub/x/h.txt',
    'dir/obj/o.txt',
    '.hidden/i.txt',
    'sp ace/j.txt',
    '[ab]/k.txt',
    'a/l.txt',
    'b/m.txt',
];

describe('find review: the finder against tl.findMatch, and where it deliberately differs', () => {
    let root: string;

    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-find-review-'));
        for (const file of TREE) {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), file);
        }
        fs.mkdirSync(path.join(root, 'empty'));
    });

    after(() => {
        fs.rmSync(root, { recursive: true, force: true });
    });

    describe('the same files as tl.findMatch', () => {
        const cases: string[][] = [
            // what pipeline authors write
            ['**'],
            ['*'],
            ['**/*.txt', '!**/obj/**', '!**/sub/x/**'],
            ['dir/**'],
            ['dir/**/*'],
            ['**/sub/**/*.txt'],
            ['**/x/**'],
            ['**/.dot'],
            ['./dir/f.txt'],
            ['././a.txt'],
            ['dir/./f.txt'],
            ['dir//f.txt'],
            ['dir/../a.txt'],
            ['a b.txt', 'sp ace/*'],
            ['  a b.txt  ', '\t'],
            ['', '   ', '\t', 'a.txt'],
            // a folder, a trailing '/', '**/' and '*/' name folders, never files
            ['dir'],
            ['dir/'],
            ['dir/**/'],
            ['x/**/'],
            ['**/'],
            ['*/'],
            ['**/sub'],
            ['empty/**'],
            ['x'],
            ['x/'],
            // brackets and parentheses: a class unless escaped; extglobs
            ['[x].txt'],
            ['\\[x\\].txt'],
            ['[[]x].txt'],
            ['[ab]/*'],
            ['\\[ab\\]/*'],
            ['(y).txt'],
            ['+(p).txt'],
            ['@(q).txt'],
            ['?(a).txt'],
            ['*(a).txt'],
            ['{a,b}/*'],
            // '#' and '!' at the start: a comment and a negation, unless escaped
            ['#h.txt'],
            ['\\#h.txt'],
            ['\\!n.txt'],
            ['[!]n.txt'],
            ['!!a.txt'],
            ['! !a.txt'],
            ['**', '! a.txt'],
            ['**', '!  '],
            ['**', '!dir', '!dir/'],
            ['**', '!**/*.txt', '!!dir/f.txt'],
            ['**', '!dir/**', 'dir/sub/**', '!**/h.txt'],
            ['!! a.txt'],
            ['**', '!  a b.txt', '!\tb.log'],
            ['*.txt # an inline # is part of the pattern'],
            // '?', '*' and '\' in a name (Linux)
            ['a?.txt'],
            ['a\\?.txt'],
            ['a\\*.txt'],
            ['back\\\\slash.txt'],
            ['back\\slash.txt'],
        ];
        for (const patterns of cases) {
            it(`matches the same files for ${JSON.stringify(patterns)}, with nothing to report`, () => {
                assert.deepEqual(ourFiles(root, patterns), { files: taskLibFiles(root, patterns), notices: [] });
            });
        }

        it('matches an absolute pattern, one with doubled slashes, and a rootFolder given with a trailing slash, the same way', () => {
            for (const patterns of [[`${root}/dir/**/*.txt`], [`${root}//dir//f.txt`]]) {
                assert.deepEqual(ourFiles(root, patterns).files, taskLibFiles(root, patterns));
            }
            assert.deepEqual(ourFiles(`${root}/`, ['**/*.log']).files, taskLibFiles(`${root}/`, ['**/*.log']));
        });

        it("resolves a rootFolder given relative, with '..' inside or with a trailing slash before the search, as the agent does", () => {
            const resolved = existingFolder(`${path.relative(process.cwd(), root)}/dir/../`, process.cwd(), {
                missing: () => new Error('missing'),
                notFound: () => new Error('not found'),
                notAFolder: () => new Error('not a folder'),
            });
            assert.equal(resolved, root);
            assert.deepEqual(ourFiles(resolved, ['*.txt']).files, taskLibFiles(resolved, ['*.txt']));
            assert.ok(ourFiles(resolved, ['*.txt']).files.includes('a.txt'));
        });
    });

    describe("'.' segments: an include and an exclude spelled with or without './' name the same files (tl.findMatch: README lists the difference)", () => {
        it("applies an exclude to the files a './**' include found", () => {
            const patterns = ['./**/*.txt', '!dir/**', '!**/sub/**'];
            const { files, notices } = ourFiles(root, patterns);
            assert.deepEqual(
                files.filter((file) => file.startsWith('dir/')),
                [],
            );
            assert.ok(files.includes('a.txt'));
            assert.deepEqual(notices, []);
            assert.deepEqual(taskLibFiles(root, ['./**/*.txt']), [], "tl.findMatch finds nothing for './**'");
        });

        it("applies an exclude spelled './dir/**' to what '**' found", () => {
            const { files } = ourFiles(root, ['**/*.txt', '!./dir/**']);
            assert.deepEqual(
                files.filter((file) => file.startsWith('dir/')),
                [],
            );
            assert.ok(taskLibFiles(root, ['**/*.txt', '!./dir/**']).includes('dir/f.txt'), 'tl.findMatch ignores that exclude');
        });

        it("finds a file named twice, once with './', once, with nothing to report", () => {
            const { files, notices } = ourFiles(root, ['*.log', './b.log', 'dir/./f.txt']);
            assert.deepEqual(files, ['b.log', 'dir/f.txt']);
            assert.deepEqual(notices, []);
        });

        it("finds what './dir/*.txt' and 'dir/./**' name (tl.findMatch: nothing)", () => {
            assert.deepEqual(ourFiles(root, ['./dir/*.txt']).files, ['dir/f.txt']);
            assert.deepEqual(ourFiles(root, ['dir/./**']).files, taskLibFiles(root, ['dir/**']));
            assert.deepEqual(taskLibFiles(root, ['./dir/*.txt']), []);
        });

        it("keeps a '.' that names the folder itself, and the '.' of a Windows device path", () => {
            assert.equal(withoutDotSegments('./'), './');
            assert.equal(withoutDotSegments('dir/.'), 'dir/.');
            assert.equal(withoutDotSegments('.'), '.');
            assert.equal(withoutDotSegments('.//a.txt'), './/a.txt', 'never turns a relative pattern into a rooted one');
            assert.equal(withoutDotSegments('//./pipe/x'), '//./pipe/x');
            assert.equal(withoutDotSegments('./a/./b/**'), 'a/b/**');
            assert.equal(withoutDotSegments('C:/drop/./x'), 'C:/drop/x');
        });
    });

    describe("'../' and absolute patterns (README: 'Patterns')", () => {
        const outside = (rootFolder: string, patterns: string[]) =>
            findArtifacts(rootFolder, patterns, { allowFilesOutsideRoot: true })
                .files.map((file) => path.relative(root, file.absolutePath))
                .sort();

        it("searches with a wildcard under '../' (tl.findMatch: nothing)", () => {
            assert.deepEqual(outside(path.join(root, 'dir'), ['../*.log']), ['b.log']);
            assert.deepEqual(taskLibFiles(path.join(root, 'dir'), ['../*.log']), []);
        });

        it("leaves what a '../' or absolute pattern found to an exclude spelled the same way", () => {
            const rootFolder = path.join(root, 'dir');
            assert.deepEqual(outside(rootFolder, ['../*.log', '!**/*.log']), ['b.log']);
            assert.deepEqual(outside(rootFolder, ['../*.log', '!../*.log']), []);
            assert.deepEqual(outside(rootFolder, [`${root}/*.log`, '!**/*.log']), ['b.log']);
            assert.deepEqual(outside(rootFolder, [`${root}/*.log`, `!${root}/*.log`]), []);
        });
    });

    describe('a pattern that leads through a file', () => {
        it('finds nothing there and says nothing about permissions (tl.findMatch fails the run with ENOTDIR)', () => {
            assert.deepEqual(ourFiles(root, ['a.txt/x']), { files: [], notices: [] });
            assert.deepEqual(ourFiles(root, ['dir/f.txt/**/*.txt']), { files: [], notices: [] });
            assert.match(String(taskLibFiles(root, ['a.txt/x'])), /ENOTDIR/);
        });
    });

    describe('a folder the agent may not read, excluded', () => {
        let readdir: sinon.SinonStub;
        const locked = () => `${root}/dir/sub`;

        beforeEach(() => {
            const original = fs.readdirSync;
            readdir = sinon.stub(fs, 'readdirSync').callsFake(((folder: fs.PathLike, ...rest: unknown[]) => {
                if (path.resolve(String(folder)) === path.resolve(locked())) {
                    throw Object.assign(new Error('EACCES: injected'), { code: 'EACCES' });
                }
                return (original as (...args: unknown[]) => unknown)(folder, ...rest);
            }) as typeof fs.readdirSync);
        });

        afterEach(() => {
            readdir.restore();
        });

        it('is reported when nothing excludes it', () => {
            assert.deepEqual(ourFiles(root, ['**/*.txt']).notices, [{ kind: 'unreadable', path: 'dir/sub', code: 'EACCES' }]);
        });

        it("is not reported once an exclude names it or everything in it, as the warning's words advise", () => {
            for (const exclude of ['!dir/sub/**', '!**/sub/**', '!dir/sub', '!dir/**']) {
                const { files, notices } = ourFiles(root, ['**/*.txt', exclude]);
                assert.deepEqual(notices, [], exclude);
                assert.ok(files.includes('a.txt'), exclude);
            }
        });

        it('is still reported when the exclude leaves some of it, or a later include searches it again', () => {
            assert.equal(ourFiles(root, ['**/*.txt', '!dir/sub/*.log']).notices.length, 1);
            assert.equal(ourFiles(root, ['**/*.txt', '!dir/sub/**', 'dir/sub/**']).notices.length, 1);
            assert.equal(ourFiles(root, ['!dir/sub/**', '**/*.txt']).notices.length, 1, 'an exclude acts on what was found before it');
        });
    });
});

describe('find review: Windows path logic, simulated with path.win32', () => {
    const options = matchOptions(win32);

    it("roots '.\\' patterns and excludes at rootFolder like plain ones", () => {
        assert.deepEqual(patternSearch('C:\\agent\\_work\\1\\a', '.\\logs\\**\\*.log', win32), {
            pattern: 'C:/agent/_work/1/a/logs/**/*.log',
            searchPath: 'C:/agent/_work/1/a/logs',
            literal: false,
        });
        assert.equal(rootedExclude('C:\\drop', '.\\obj\\**', win32), 'C:/drop/obj/**');
        assert.ok(minimatch('c:/DROP/Obj/x.pdb', rootedExclude('C:\\drop', '.\\obj\\**', win32), options), 'without regard to case');
    });

    it("takes a drive-relative 'C:logs\\*.log' for rooted, as tl.findMatch's _isRooted does", () => {
        assert.deepEqual(patternSearch('D:\\drop', 'C:logs\\*.log', win32), { pattern: 'C:logs/*.log', searchPath: 'C:logs', literal: false });
    });

    it('keeps a UNC rootFolder (as path.win32.resolve gives it, with its trailing slash) a share root', () => {
        const root = win32.resolve('\\\\server\\share');
        assert.equal(root, '\\\\server\\share\\');
        const search = patternSearch(root, '**\\*.zip', win32);
        assert.equal(search.searchPath, '//server/share');
        assert.ok(minimatch('//server/share/out/a.zip', search.pattern, options));
        assert.ok(!minimatch('//server/other/out/a.zip', search.pattern, options));
        assert.equal(spellAsOnDisk('//server/share/OUT', win32, (folder) => (folder === '//server/share/' ? ['out'] : undefined)), '//server/share/out');
    });

    it('treats brackets, parentheses and spaces in a Windows rootFolder as literal characters', () => {
        const pattern = patternSearch('C:\\a [1]\\b(2)\\+(c)', '**\\*.txt', win32).pattern;
        assert.ok(minimatch('c:/A [1]/B(2)/+(c)/x/y.txt', pattern, options));
        assert.ok(!minimatch('C:/a 1/b(2)/c/x/y.txt', pattern, options));
    });

    it("cannot escape with '\\' (it separates), so a literal '[' is written '[[]', as with tl.findMatch there", () => {
        assert.ok(minimatch('C:/drop/[x].txt', patternSearch('C:\\drop', '[[]x].txt', win32).pattern, options));
        assert.ok(!minimatch('C:/drop/[x].txt', patternSearch('C:\\drop', '[x].txt', win32).pattern, options));
        // '\\[x\\].txt' is '/[x/].txt' there: rooted at the drive, as tl.findMatch's _isRooted says, not under rootFolder.
        assert.equal(patternSearch('C:\\drop', '\\[x\\].txt', win32).searchPath, '/[x/].txt');
    });

    it("ends a pattern with '\\' as one with '/': a folder, never a file", () => {
        const search = patternSearch('C:\\drop', 'bin\\', win32);
        assert.equal(search.literal, true);
        assert.equal(search.searchPath, 'C:/drop/bin');
    });

    it('compares and reports paths longer than 260 characters like short ones', () => {
        const deep = `C:\\agent\\_work\\1\\a\\${Array.from({ length: 30 }, (_, index) => `folder${index}`).join('\\')}\\app.log`;
        assert.ok(deep.length > 260);
        assert.equal(isInsideRoot('C:\\agent\\_work\\1\\a', deep, win32), true);
        assert.equal(reportedPath('C:\\agent\\_work\\1\\a', 'C:\\agent\\_work\\1\\a', deep.replace(/\\/g, '/'), deep, win32), deep.slice('C:\\agent\\_work\\1\\a\\'.length).replace(/\\/g, '/'));
    });

    it('matches Windows paths without regard to case, Linux paths with it', () => {
        assert.ok(minimatch('C:/Drop/LOGS/App.Log', patternSearch('c:\\drop', 'logs/*.log', win32).pattern, options));
        assert.ok(!minimatch('/drop/LOGS/App.Log', patternSearch('/drop', 'logs/*.log', posix).pattern, matchOptions(posix)));
    });
});
