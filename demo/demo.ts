import * as fs from 'fs';
import * as path from 'path';
import { sha256 } from '../test/e2e/fixtures';
import { parseCommand, type TaskRun } from '../test/e2e/taskRunner';
import { DEMO_BUILD_WORK_ITEM, DEMO_WORK_ITEM, runSample } from './sampleRun';
import { cellText, readSummaryPage } from './summaryTable';

/**
 * Runs the real bundled task against the emulator and shows what a pipeline author would see: the step's log as the
 * agent renders it (logging commands turned into what they mean), the output variables, the summary tab, the work
 * items the files are now attached to; then downloads every attachment back and checks it byte for byte.
 */
async function demo(): Promise<void> {
    const sample = await runSample();
    try {
        const { run, emulator, artifacts } = sample;
        console.log(`Emulated collection: ${emulator.collectionUrl} (project Fabrikam, build 42 with work item #${DEMO_BUILD_WORK_ITEM.id})\n`);
        console.log(heading('The step, as a YAML author writes it'));
        console.log(yamlOf(sample.inputs));

        console.log(heading("The step's log, as the agent shows it (debug lines hidden)"));
        console.log(renderedLog(run));

        console.log(heading('Output variables (later steps read them as ATTACH_<NAME>)'));
        console.log(table(['name', 'value'], Object.entries(run.outputs).map(([name, value]) => [name, shorten(value, 96)])));

        console.log(heading('The summary tab'));
        const page = readSummaryPage(sample.summary);
        console.log(`${page.title}\n`);
        console.log(table(page.columns, page.rows.map((row) => row.map(cellText))));
        const links = page.rows.flatMap((row) => row.flatMap((cell) => cell.filter((part) => part.link).map((part) => `  ${part.text} -> ${part.link}`)));
        console.log(`\nLinks on the page:\n${[...new Set(links)].join('\n')}`);
        page.notes.forEach((note) => console.log(note));

        console.log(heading('The work items'));
        for (const { id } of [DEMO_WORK_ITEM, DEMO_BUILD_WORK_ITEM]) {
            const item = emulator.workItem(id);
            const files = (item?.relations ?? []).filter((relation) => relation.rel === 'AttachedFile').map((relation) => String(relation.attributes.name));
            console.log(`#${id} "${item?.title}": ${files.length} attached file(s): ${files.join(', ')}`);
        }

        console.log(heading('Downloaded back from the emulator'));
        const attachments = JSON.parse(run.outputs.Attachments ?? '[]') as { path: string; url: string; size: number; uploadType: string }[];
        let verified = 0;
        for (const attachment of attachments) {
            const original = fs.readFileSync(path.join(artifacts.root, attachment.path));
            const downloaded = await emulator.download(attachment.url);
            const same = sha256(downloaded) === sha256(original);
            verified += same ? 1 : 0;
            console.log(`${same ? 'OK      ' : 'MISMATCH'} ${attachment.path} (${attachment.size} bytes, ${attachment.uploadType}) sha256 ${sha256(downloaded).slice(0, 16)}...`);
        }
        console.log(`\nTask result: ${run.result}. ${verified} of ${attachments.length} attachments downloaded back and verified byte for byte; ${emulator.requests.length} requests reached the emulator.`);
        const linked = [DEMO_WORK_ITEM.id, DEMO_BUILD_WORK_ITEM.id].every((id) => (emulator.workItem(id)?.relations ?? []).length === attachments.length);
        if (run.result !== 'Succeeded' || verified !== attachments.length || attachments.length === 0 || !linked) {
            process.exitCode = 1;
        }
    } finally {
        await sample.dispose();
    }
}

/**
 * The step's log as the agent renders it: plain lines as they are; warnings and errors as such; the result; the
 * other logging commands (outputs, progress, the summary) are consumed by the agent and shown elsewhere.
 */
export function renderedLog(run: TaskRun): string {
    const lines: string[] = [];
    for (const line of run.stdout.split(/\r?\n/)) {
        const command = parseCommand(line);
        if (!command) {
            if (line !== '') {
                lines.push(line);
            }
            continue;
        }
        if (command.command === 'task.issue' || command.command === 'task.logissue') {
            const label = command.properties.type === 'error' ? '##[error]' : '##[warning]';
            lines.push(...command.message.split('\n').map((text, index) => (index === 0 ? `${label}${text}` : `    ${text}`)));
        } else if (command.command === 'task.complete') {
            lines.push(`Result: ${command.properties.result}. ${command.message.split('\n').join('\n    ')}`);
        } else if (command.command === 'task.setvariable' && command.properties.isOutput === 'true') {
            lines.push(`(output variable ${command.properties.variable} set)`);
        }
    }
    return lines.map((line) => `  ${line}`).join('\n');
}

function yamlOf(inputs: Record<string, string>): string {
    const entries = Object.entries(inputs).map(([name, value]) =>
        value.includes('\n') ? `    ${name}: |\n${value.split('\n').map((line) => `      ${line}`).join('\n')}` : `    ${name}: '${value}'`,
    );
    return ['- task: UploadWorkItemAttachments@1', '  name: attach', '  inputs:', ...entries].join('\n');
}

function table(columns: readonly string[], rows: readonly string[][]): string {
    const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)));
    const line = (cells: readonly string[]) => `| ${cells.map((cell, index) => (cell ?? '').padEnd(widths[index])).join(' | ')} |`;
    return [line(columns), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function shorten(value: string, length: number): string {
    return value.length <= length ? value : `${value.slice(0, length - 3)}...`;
}

function heading(text: string): string {
    return `\n==== ${text} ====\n`;
}

if (require.main === module) {
    demo().catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
    });
}
