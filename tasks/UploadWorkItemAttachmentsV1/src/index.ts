import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { describeFailure, stopsEverything, type FailureContext } from './failures';
import { findArtifacts } from './findArtifacts';
import { formatBytes, formatSeconds, formatSpeed } from './format';
import { readSettings, type TaskSettings } from './inputs';
import type { Localize } from './localize';
import { publishOutputs } from './outputs';
import { UploadProgress } from './progress';
import { RetryPolicy, systemClock, type RetryNotice } from './retryPolicy';
import { resolveServerTarget, secretsOf } from './serverTarget';
import { createUploadServices, type AgentNetwork } from './services';
import { uploadAll, type UploadOutcome } from './uploadAll';
import { uploadFile, type UploadedAttachment } from './uploadFile';

const loc: Localize = (key, ...params) => tl.loc(key, ...params);

/** Find the artifacts, upload each (simple or chunked, several at once, retried), set the outputs, report every failure. */
async function main(): Promise<void> {
    tl.setResourcePath(path.join(__dirname, '..', 'task.json'));
    const settings = readSettings({ getInput: (name) => tl.getInput(name), defaultWorkingDirectory: () => tl.getVariable('System.DefaultWorkingDirectory') }, loc);
    const target = resolveServerTarget(settings, agentContext, loc);
    secretsOf(target.credential).forEach((secret) => tl.setSecret(secret));

    const files = findArtifacts(settings.rootFolder, settings.patterns, (root, patterns) => tl.findMatch(root, patterns));
    if (files.length === 0) {
        publishOutputs([], setOutput);
        reportNoFiles(settings);
        return;
    }
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
    console.log(loc('FilesFound', files.length, formatBytes(totalBytes), target.collectionUrl));

    const policy = new RetryPolicy(settings.retries, systemClock, logRetry);
    const services = createUploadServices(target, settings, agentNetwork(), policy);
    const progress = new UploadProgress(totalBytes, (percent) => tl.setProgress(percent, loc('ProgressOperation')));
    const failureContext: FailureContext = {
        identity: target.identity,
        areaPath: settings.areaPath,
        attempts: settings.retries + 1,
        stallTimeoutMs: settings.stallTimeoutMs,
    };
    try {
        const outcome = await uploadAll(files, {
            concurrency: settings.concurrency,
            uploadOne: async (file) => logUploaded(await uploadFile(file, { ...settings, client: services.attachments, policy, progress, clock: systemClock })),
            // Logged as it happens; the one error issue is the summary at the end, which names every failed file.
            onFailure: ({ file, error }) => console.log(loc('FileFailed', file.relativePath, describeFailure(error, file, failureContext, loc))),
            stopsEverything,
        });
        publishOutputs(outcome.uploaded, setOutput);
        reportOutcome(outcome, files.length, failureContext);
    } finally {
        services.close();
    }
}

function reportNoFiles(settings: TaskSettings): void {
    const message = loc('NoFilesMatched', settings.rootFolder, settings.patterns.join(', '));
    switch (settings.ifNoFilesFound) {
        case 'error':
            tl.setResult(tl.TaskResult.Failed, message);
            return;
        case 'warn':
            tl.warning(message);
            tl.setResult(tl.TaskResult.Succeeded, message);
            return;
        case 'ignore':
            tl.setResult(tl.TaskResult.Succeeded, message);
            return;
    }
}

function reportOutcome(outcome: UploadOutcome<UploadedAttachment>, total: number, context: FailureContext): void {
    const problems = [
        ...outcome.failed.map(({ file, error }) => loc('FileFailed', file.relativePath, describeFailure(error, file, context, loc))),
        ...outcome.notStarted.map((file) => loc('FileNotStarted', file.relativePath)),
    ];
    if (problems.length === 0) {
        tl.setResult(tl.TaskResult.Succeeded, loc('AllUploaded', total));
        return;
    }
    tl.setResult(tl.TaskResult.Failed, `${loc('SomeFailed', problems.length, total)}\n${problems.join('\n')}`);
}

function logUploaded(attachment: UploadedAttachment): UploadedAttachment {
    const { file, elapsedMs } = attachment;
    console.log(loc('FileUploaded', file.relativePath, formatBytes(file.size), attachment.uploadType, formatSeconds(elapsedMs), formatSpeed(file.size, elapsedMs), attachment.url));
    return attachment;
}

function logRetry(notice: RetryNotice): void {
    const reason = notice.error instanceof Error ? notice.error.message : String(notice.error);
    console.log(loc('Retrying', notice.operation, notice.attempt, notice.maxAttempts, reason, formatSeconds(notice.delayMs)));
}

function setOutput(name: string, value: string): void {
    tl.setVariable(name, value, false, true);
}

const agentContext = {
    endpointUrl: (id: string) => tl.getEndpointUrl(id, true),
    endpointScheme: (id: string) => tl.getEndpointAuthorizationScheme(id, true),
    endpointParameter: (id: string, key: string) => tl.getEndpointAuthorizationParameter(id, key, true),
    variable: (name: string) => tl.getVariable(name),
};

/** The agent's proxy and certificate settings, as task-lib reads them. */
function agentNetwork(): AgentNetwork {
    const proxy = tl.getHttpProxyConfiguration();
    const certificates = tl.getHttpCertConfiguration();
    return {
        proxy: proxy
            ? { url: proxy.proxyUrl, username: proxy.proxyUsername, password: proxy.proxyPassword, bypass: proxy.proxyBypassHosts ?? [] }
            : undefined,
        certificates: certificates
            ? { caFile: certificates.caFile, certFile: certificates.certFile, keyFile: certificates.keyFile, passphrase: certificates.passphrase }
            : undefined,
        skipCertValidation: (tl.getVariable('Agent.SkipCertValidation') ?? '').toLowerCase() === 'true',
    };
}

main().catch((error: unknown) => tl.setResult(tl.TaskResult.Failed, error instanceof Error ? error.message : String(error)));
