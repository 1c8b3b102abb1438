import * as assert from 'assert/strict';
import * as path from 'path';
import minimatch from 'minimatch';
import {
    escapeRootForPattern,
    isInsideRoot,
    matchOptions,
    patternSearch,
    reportedPath,
    rootedExclude,
    sameEntryName,
    spellAsOnDisk,
} from '../../engine/find/artifactPaths';

const { win32, posix } = path;

describe('artifactPaths', () => {
    describe('patternSearch (where tl.findMatch would look, and what it matches)', () => {
        it('roots a relative Windows pattern at rootFolder, with forward slashes, and walks from its literal folder', () => {
            assert.deepEqual(patternSearch('C:\\agent\\_work\\1\\a', 'logs\\**\\*.log', win32), {
                pattern: 'C:/agent/_work/1/a/logs/**/*.log',
                searchPath: 'C:/agent/_work/1/a/logs',
                literal: false,
            });
        });

        it('keeps an absolute pattern on another drive as it is, and stats a literal one instead of walking', () => {
            assert.deepEqual(patternSearch('C:\\drop', 'D:\\other\\setup.exe', win32), { pattern: 'D:/other/setup.exe', searchPath: 'D:/other/setup.exe', literal: true });
        });

        it('keeps the two leading slashes of a UNC share', () => {
            assert.deepEqual(patternSearch('\\\\server\\share\\drop', '*.zip', win32), { pattern: '//server/share/drop/*.zip', searchPath: '//server/share/drop', literal: false });
            assert.equal(patternSearch('C:\\drop', '\\\\server\\share\\x\\*.zip', win32).searchPath, '//server/share/x');
        });

        it('searches the drive root itself when rootFolder is one', () => {
            assert.deepEqual(patternSearch('C:\\', '*.txt', win32), { pattern: 'C:/*.txt', searchPath: 'C:/', literal: false });
        });

        it('treats glob characters in rootFolder as literal characters', () => {
            const search = patternSearch('/work/[1]/a*b', '**/*.txt', posix);
            assert.equal(search.searchPath, '/work/[1]/a*b');
            assert.ok(minimatch('/work/[1]/a*b/x/y.txt', search.pattern, matchOptions(posix)));
            assert.ok(!minimatch('/work/1/aXb/x/y.txt', search.pattern, matchOptions(posix)));
        });

        it('matches without regard to case on Windows only, dotfiles included, braces literal', () => {
            const windows = patternSearch('C:\\Drop', 'Logs/*.LOG', win32).pattern;
            assert.ok(minimatch('c:/drop/logs/.hidden.log', windows, matchOptions(win32)));
            const linux = patternSearch('/drop', 'Logs/*.LOG', posix).pattern;
            assert.ok(!minimatch('/drop/logs/app.log', linux, matchOptions(posix)));
            assert.ok(minimatch('/drop/{a,b}.txt', patternSearch('/drop', '{a,b}.txt', posix).pattern, matchOptions(posix)));
        });

        it('roots an exclude pattern the same way', () => {
            assert.equal(rootedExclude('C:\\drop', 'obj\\**', win32), 'C:/drop/obj/**');
            assert.equal(rootedExclude('/drop', '/etc/**', posix), '/etc/**');
        });

        it('escapes a backslash in a Linux rootFolder, where it is part of a name', () => {
            assert.equal(escapeRootForPattern('/a\\b/c?', posix), '/a\\\\b/c[?]');
        });
    });

    describe('isInsideRoot', () => {
        it('compares Windows paths without regard to case', () => {
            assert.equal(isInsideRoot('C:\\Drop', 'c:\\drop\\sub\\a.txt', win32), true);
            assert.equal(isInsideRoot('C:\\Drop', 'C:\\DROP', win32), true);
        });

        it('does not take a sibling that starts with the same letters, another drive or a parent for inside', () => {
            assert.equal(isInsideRoot('C:\\drop', 'C:\\drop2\\a.txt', win32), false);
            assert.equal(isInsideRoot('C:\\drop', 'D:\\drop\\a.txt', win32), false);
            assert.equal(isInsideRoot('C:\\drop', 'C:\\a.txt', win32), false);
            assert.equal(isInsideRoot('/drop', '/drop2/a.txt', posix), false);
            assert.equal(isInsideRoot('/drop', '/drop/..hidden/a.txt', posix), true);
        });

        it('handles UNC shares', () => {
            assert.equal(isInsideRoot('\\\\server\\share\\drop', '\\\\SERVER\\Share\\drop\\a.txt', win32), true);
            assert.equal(isInsideRoot('\\\\server\\share\\drop', '\\\\server\\other\\drop\\a.txt', win32), false);
        });

        it('is case-sensitive on Linux', () => {
            assert.equal(isInsideRoot('/Drop', '/drop/a.txt', posix), false);
        });
    });

    describe('reportedPath', () => {
        it('is relative to rootFolder with forward slashes, as spelled through a link inside it', () => {
            assert.equal(reportedPath('C:\\drop', 'C:\\drop', 'C:/drop/bin/x64/app.exe', 'C:\\drop\\bin\\x64\\app.exe', win32), 'bin/x64/app.exe');
            assert.equal(reportedPath('/drop', '/real/drop', '/drop/latest/a.txt', '/real/drop/v2/a.txt', posix), 'latest/a.txt');
        });

        it('is the absolute real path with forward slashes for a file outside rootFolder', () => {
            assert.equal(reportedPath('C:\\drop', 'C:\\drop', 'C:/drop/link.txt', 'D:\\secrets\\key.pem', win32), 'D:/secrets/key.pem');
            assert.equal(reportedPath('C:\\drop', 'C:\\drop', 'C:/drop/share', '\\\\server\\share\\a.txt', win32), '//server/share/a.txt');
            assert.equal(reportedPath('/drop', '/drop', '/drop/link', '/home/agent/.ssh/id_rsa', posix), '/home/agent/.ssh/id_rsa');
        });
    });

    describe('names as they are on disk', () => {
        it('compares Windows names without regard to case, but never folds ß into SS', () => {
            assert.equal(sameEntryName('Report.TXT', 'report.txt', win32), true);
            assert.equal(sameEntryName('straße.txt', 'STRASSE.txt', win32), false);
            assert.equal(sameEntryName('STRAßE.txt', 'straße.txt', win32), true);
            assert.equal(sameEntryName('Report.TXT', 'report.txt', posix), false);
        });

        it("spells a Windows path as the folders list it, and keeps the pattern's spelling where a folder cannot be listed", () => {
            const folders: Record<string, string[]> = {
                'C:/': ['Drop'],
                'C:/Drop': ['Logs', 'STRASSE.txt'],
                'C:/Drop/Logs': ['App.log', 'app.LOG.bak'],
            };
            const list = (folder: string) => folders[folder];
            assert.equal(spellAsOnDisk('C:/drop/LOGS/app.LOG', win32, list), 'C:/Drop/Logs/App.log');
            assert.equal(spellAsOnDisk('C:/drop/straße.txt', win32, list), 'C:/Drop/straße.txt');
            assert.equal(spellAsOnDisk('C:/drop/unlisted/x.txt', win32, list), 'C:/Drop/unlisted/x.txt');
        });

        it('prefers the exact name when a folder holds two that differ only by case', () => {
            assert.equal(spellAsOnDisk('C:/a/readme.md', win32, (folder) => (folder === 'C:/a' ? ['README.md', 'readme.md'] : ['a'])), 'C:/a/readme.md');
        });

        it('leaves a Linux path alone: it exists only as spelled', () => {
            assert.equal(spellAsOnDisk('/Drop/a.txt', posix, () => ['drop']), '/Drop/a.txt');
        });
    });
});
