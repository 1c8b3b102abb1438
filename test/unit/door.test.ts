import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const taskSources = path.join(repoRoot, 'tasks', 'UploadWorkItemAttachmentsV1', 'src');
const engineSources = path.join(repoRoot, 'engine');

/** Every .ts file below a folder, as paths relative to the repository. */
function sourcesBelow(folder: string): string[] {
    return fs
        .readdirSync(folder, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ts'))
        .map((name) => path.relative(repoRoot, path.join(folder, name)));
}

function linesMatching(files: readonly string[], pattern: RegExp): string[] {
    const found: string[] = [];
    for (const file of files) {
        fs.readFileSync(path.join(repoRoot, file), 'utf8')
            .split('\n')
            .forEach((line, index) => {
                if (pattern.test(line)) {
                    found.push(`${file}:${index + 1}: ${line.trim()}`);
                }
            });
    }
    return found;
}

/** Ways out of the process for text: printing, and the task-lib calls that print a logging command or write for the agent. */
const WAYS_OUT = /\bconsole\.\w+\(|\bprocess\.(stdout|stderr)\b|\btl\.(warning|error|debug|command|logIssue|logDetail|setResult|setSanitizedResult|setVariable|setTaskVariable|setSecret|setProgress|uploadSummary|addAttachment|uploadFile|writeFile|setStdStream|setErrStream)\(/;

describe('one door for text that leaves the process', () => {
    it("lets only the task's agent.ts print, log, set variables, set the result or upload the summary; the engine never prints", () => {
        const sources = [...sourcesBelow(taskSources), ...sourcesBelow(engineSources)].filter((file) => path.basename(file) !== 'agent.ts');
        assert.ok(sources.some((file) => file.startsWith('engine')), 'the engine was scanned');
        assert.deepEqual(linesMatching(sources, WAYS_OUT), [], 'route these through the door (the engine through its host.log)');
    });

    it('keeps the engine free of task-lib, so either front door can use it', () => {
        assert.deepEqual(linesMatching(sourcesBelow(engineSources), /azure-pipelines-task-lib/), []);
    });

    it('finds a way out when one is there, so the check above can fail', () => {
        for (const line of ["console.log('x')", 'tl.warning(message)', "tl.setResult(tl.TaskResult.Failed, 'x')", 'tl.setVariable(name, value)', 'process.stdout.write(x)']) {
            assert.ok(WAYS_OUT.test(line), line);
        }
        assert.ok(!WAYS_OUT.test('log.warning(message)'));
    });
});
