import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import type { Localize, TaskLog } from '../../../engine/text/localize';
import type { OutputSink } from './outputs';
import { guardCommandOutput, markdownText, neutralise, neutraliseLines, redact, secretForms } from '../../../engine/text/safeText';
import type { AgentContext } from './serverTarget';
import { urlPasswordSecrets } from '../../../engine/target';
import { usableBypassPatterns, type NetworkSettings } from '../../../engine/http/services';

/**
 * Everything the task takes from, or gives to, the agent goes through task-lib here. This is also the one door for
 * text that leaves the process: log lines, warnings, debug lines, progress, the result, output variables and the files
 * the task writes pass it, and it redacts every registered secret and neutralises logging commands and line breaks.
 * No other module prints or calls task-lib's logging functions (a unit test checks).
 */
export const loc: Localize = (key, ...params) => tl.loc(key, ...params);

const secrets: string[] = [];

/**
 * Routes what task-lib prints itself (its debug lines, the commands it writes) through the
 * same rules; call it first, before anything is printed.
 */
export function guardTaskLibOutput(): void {
    const stdout = { write: (text: string) => print(guardCommandOutput(String(text), secrets)) };
    tl.setStdStream(stdout as unknown as NodeJS.WritableStream);
    process.on('exit', flushPrinted);
}

/**
 * Everything the door prints, in order, leaves through here, in batches: a line waits at most FLUSH_DELAY_MS, or
 * until FLUSH_BYTES have gathered. A write to the agent's pipe is a system call that wakes the agent, and a run of
 * 2,000 small files prints a line for each: one write per turn of the event loop was still about 660 writes there,
 * batches make about 120 (counted with strace). The timer keeps the process alive until the last batch is out; the exit handler only
 * catches what a sudden exit leaves.
 */
const FLUSH_DELAY_MS = 50;
const FLUSH_BYTES = 16 * 1024;
let printed = '';
let flushTimer: NodeJS.Timeout | undefined;

function print(text: string): void {
    printed += text;
    if (printed.length >= FLUSH_BYTES) {
        flushPrinted();
    } else {
        flushTimer ??= setTimeout(flushPrinted, FLUSH_DELAY_MS);
    }
}

function flushPrinted(): void {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (printed !== '') {
        const text = printed;
        printed = '';
        process.stdout.write(text);
    }
}

/** Masks the secrets in the log (the agent does that) and redacts them from everything the task prints or writes (the door does that). */
export function registerSecrets(values: readonly string[]): void {
    for (const value of values) {
        if (value !== '' && !secrets.includes(value)) {
            secrets.push(value);
            tl.setSecret(value);
        }
    }
}

/** One value or message on one line, with no secret and no logging command. */
function safe(text: string): string {
    return neutralise(redact(text, secrets));
}

export const log: TaskLog = {
    info: (message) => {
        endFileGroup();
        print(`${safe(message)}\n`);
    },
    warning: (message) => {
        endFileGroup();
        tl.warning(safe(message));
    },
    debug: (message) => tl.debug(safe(message)),
};

/**
 * The title of the collapsible group that holds the per-file lines of a long run, once `groupFileLines` is called.
 * The group is opened by the first per-file line and closed by anything else the task prints (a retry, a failure,
 * a warning, the result), so those always show outside it; the next per-file line opens it again.
 */
let fileGroupTitle: string | undefined;
let fileGroupOpen = false;

/** From now on, per-file lines go into a collapsible group with this title. */
export function groupFileLines(title: string): void {
    fileGroupTitle = safe(title);
}

/** One line about one file: inside the group when there is one. The group's markers are written here and nowhere else. */
export function fileLine(message: string): void {
    if (fileGroupTitle !== undefined && !fileGroupOpen) {
        fileGroupOpen = true;
        print(`##[group]${fileGroupTitle}\n`);
    }
    print(`${safe(message)}\n`);
}

function endFileGroup(): void {
    if (fileGroupOpen) {
        fileGroupOpen = false;
        print('##[endgroup]\n');
    }
}

/**
 * Through task-lib's command function rather than `tl.setVariable`, which first echoes `set name=value` as a debug
 * line: that doubles the largest values in the log (Attachments, AttachmentUrls). The task never reads its own
 * outputs back, so task-lib's copy in the environment is not needed either.
 */
export function setOutput(name: string, value: string): void {
    endFileGroup();
    tl.command('task.setvariable', { variable: name, isOutput: 'true', issecret: 'false' }, safe(value));
}

/** Output variables, and the file with the complete list of attachments. */
export const outputSink: OutputSink = {
    setOutput,
    writeAttachmentsFile: (json) => writeTempFile('-attachments.json', json),
    warning: (message) => log.warning(message),
};

export function setProgress(percent: number, operation: string): void {
    tl.setProgress(percent, safe(operation));
}

/** Ends the task. The message is one line per entry (the heading, then one failure a line), each made safe. */
export function setResult(result: 'Succeeded' | 'Failed', lines: readonly string[]): void {
    endFileGroup();
    const message = neutraliseLines(lines.map((line) => redact(line, secrets)));
    tl.setResult(result === 'Succeeded' ? tl.TaskResult.Succeeded : tl.TaskResult.Failed, message);
}

/**
 * Writes a file into Agent.TempDirectory, where later steps of the job can read it, with every secret redacted.
 * `suffix` follows a name unique to this step, so two steps of a job never overwrite each other's file.
 * Returns the path with forward slashes, which every tool on Windows accepts as well.
 */
export function writeTempFile(suffix: string, content: string): string {
    const folder = tl.getVariable('Agent.TempDirectory') || tl.getVariable('System.DefaultWorkingDirectory') || os.tmpdir();
    const file = path.join(folder, `UploadWorkItemAttachments-${randomUUID()}${suffix}`);
    fs.writeFileSync(file, redact(content, secrets), 'utf8');
    return file.replace(/\\/g, '/');
}

/**
 * Puts a markdown page on the run's summary tab. The agent masks secrets in the log but not in this file, so they are
 * redacted here; summary.ts escapes the values, and each line is neutralised on top, its line breaks kept.
 */
export function uploadSummary(markdown: string): void {
    endFileGroup();
    // summary.ts has escaped the values as markdown, so a secret may be there in its escaped spelling; a bare *** would be emphasis.
    const forms = [...secrets, ...secrets.map(markdownText)];
    const lines = markdown.split('\n').map((line) => neutralise(redact(line, forms, '\\*\\*\\*')));
    // As a summary attachment with a name: `task.uploadsummary` would title the section with the file's unique name.
    tl.addAttachment('Distributedtask.Core.Summary', safe(loc('SummaryTitle')), writeTempFile('.md', lines.join('\n')));
}

export const agentContext: AgentContext = {
    endpointUrl: (id) => {
        // task-lib echoes the URL on a debug line: a password written into it is registered first, so that line shows ***.
        registerSecrets(urlPasswordSecrets(process.env[`ENDPOINT_URL_${id}`]));
        return tl.getEndpointUrl(id, true);
    },
    endpointScheme: (id) => tl.getEndpointAuthorizationScheme(id, true),
    endpointParameter: (id, key) => endpointParameter(id, key),
    variable: (name) => tl.getVariable(name),
};

/**
 * task-lib's getEndpointAuthorizationParameter prints the value it returns on a debug line, before the task can register
 * it as a secret: read the endpoint's authorization object instead, which it does not print, and fall back to the
 * parameter only when the object lacks it.
 */
function endpointParameter(id: string, key: string): string | undefined {
    const parameters = tl.getEndpointAuthorization(id, true)?.parameters ?? {};
    const name = Object.keys(parameters).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    return name !== undefined ? parameters[name] : tl.getEndpointAuthorizationParameter(id, key, true);
}

/** The agent's proxy and certificate settings, as task-lib reads them; their passwords are redacted like the token. */
export function agentNetwork(): NetworkSettings {
    const proxy = tl.getHttpProxyConfiguration();
    const certificates = tl.getHttpCertConfiguration();
    registerSecrets([...secretForms(proxy?.proxyPassword ?? '', proxy?.proxyUsername), ...secretForms(certificates?.passphrase ?? '')]);
    return {
        proxy: proxy
            ? {
                  url: proxy.proxyUrl,
                  username: proxy.proxyUsername,
                  password: proxy.proxyPassword,
                  bypass: usableBypassPatterns(proxy.proxyBypassHosts ?? [], (entry, reason) => log.warning(loc('ProxyBypassEntryIgnored', entry, reason))),
              }
            : undefined,
        certificates: certificates
            ? { caFile: certificates.caFile, certFile: certificates.certFile, keyFile: certificates.keyFile, passphrase: certificates.passphrase }
            : undefined,
        skipCertValidation: (tl.getVariable('Agent.SkipCertValidation') ?? '').toLowerCase() === 'true',
    };
}
