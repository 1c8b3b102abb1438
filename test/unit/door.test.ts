import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';

const sourceFolder = path.resolve(__dirname, '..', '..', '..', 'tasks', 'UploadWorkItemAttachmentsV1', 'src');

/** Ways out of the process for text: printing, and the task-lib calls that print a logging command or write for the agent. */
const WAYS_OUT = /\bconsole\.\w+\(|\bprocess\.(stdout|stderr)\b|\btl\.(warning|error|debug|command|logIssue|logDetail|setResult|setSanitizedResult|setVariable|setTaskVariable|setSecret|setProgress|uploadSummary|addAttachment|uploadFile|writeFile|setStdStream|setErrStream)\(/;

describe('one door for text that leaves the process', () => {
    it('lets only agent.ts print, log, set variables, set the result or upload the summary', () => {
        const offenders: string[] = [];
        for (const name of fs.readdirSync(sourceFolder).filter((file) => file.endsWith('.ts') && file !== 'agent.ts')) {
            fs.readFileSync(path.join(sourceFolder, name), 'utf8')
                .split('\n')
                .forEach((line, index) => {
                    if (WAYS_OUT.test(line)) {
                        offenders.push(`${name}:${index + 1}: ${line.trim()}`);
                    }
                });
        }
        assert.deepEqual(offenders, [], 'route these through agent.ts, which neutralises and redacts');
    });

    it('finds a way out when one is there, so the check above can fail', () => {
        for (const line of ["console.log('x')", 'tl.warning(message)', "tl.setResult(tl.TaskResult.Failed, 'x')", 'tl.setVariable(name, value)', 'process.stdout.write(x)']) {
            assert.ok(WAYS_OUT.test(line), line);
        }
        assert.ok(!WAYS_OUT.test('log.warning(message)'));
    });
});
