import * as assert from 'assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const taskFolder = path.join(repoRoot, 'tasks', 'UploadWorkItemAttachmentsV1');
const task = JSON.parse(fs.readFileSync(path.join(taskFolder, 'task.json'), 'utf8')) as { messages: Record<string, string> };

/** The task's own sources and the engine's: both speak through task.json's messages. */
function sourceFiles(): string[] {
    return [path.join(taskFolder, 'src'), path.join(repoRoot, 'engine')].flatMap((folder) =>
        fs
            .readdirSync(folder, { recursive: true, encoding: 'utf8' })
            .filter((name) => name.endsWith('.ts'))
            .map((name) => path.join(folder, name)),
    );
}

describe('localized messages', () => {
    it('defines in task.json every message key the sources use', () => {
        const used = new Set<string>();
        for (const file of sourceFiles()) {
            for (const match of fs.readFileSync(file, 'utf8').matchAll(/\bloc\(\s*'([A-Za-z]+)'/g)) {
                used.add(match[1]);
            }
        }
        assert.ok(used.size > 20, `found ${used.size} keys`);
        const missing = [...used].filter((key) => !(key in task.messages));
        assert.deepEqual(missing, []);
    });

    it('uses every message task.json defines', () => {
        const sources = sourceFiles().map((file) => fs.readFileSync(file, 'utf8')).join('\n');
        const unused = Object.keys(task.messages).filter((key) => !sources.includes(`'${key}'`));
        assert.deepEqual(unused, []);
    });

    it('keeps the en-US resjson in step with task.json', () => {
        execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'strings.js'), '--check'], { stdio: 'pipe' });
    });

    it('reports problems through task-lib, never console.error or console.warn', () => {
        for (const file of sourceFiles()) {
            assert.ok(!/console\.(error|warn)\(/.test(fs.readFileSync(file, 'utf8')), `${path.basename(file)} uses console.error/warn`);
        }
    });
});
