import { format } from 'util';
import type { Localize } from '../engine/text/localize';
import { messages as taskMessages } from '../tasks/UploadWorkItemAttachmentsV1/task.json';

/**
 * The engine speaks through the task's messages (task.json), so both front doors say the same thing in the same
 * words. Where a message names a task input, the command line names its own option; where it gives the pipeline
 * agent's settings as the fix, the command line gives the environment's.
 */
const OPTION_FOR_INPUT: Readonly<Record<string, string>> = {
    rootFolder: '--root',
    contents: 'the patterns',
    allowFilesOutsideRoot: '--allow-files-outside-root',
    stallTimeoutSeconds: '--stall-timeout',
    retries: '--retries',
    concurrency: '--concurrency',
    uploadType: '--upload-type',
    chunkSizeMB: '--chunk-size',
    workItemIds: '--work-item',
    workItemQuery: '--query',
    maxWorkItems: '--max-work-items',
};

const COMMAND_LINE_MESSAGES: Readonly<Record<string, string>> = {
    FailureCertificate:
        "the server's TLS certificate is not trusted (%s: %s). Set NODE_EXTRA_CA_CERTS to a PEM file that holds the certificate authority, or on Node 24 set NODE_USE_SYSTEM_CA=1 to trust the system's certificate store.",
    FailureClientCertificate:
        'the server requires a client certificate and ended the TLS handshake (%s). ado-attach does not present client certificates; run it where the server does not require one.',
    FailureProxyAuthentication:
        'the proxy refused its credentials (HTTP 407 Proxy Authentication Required). Check the user name and password in HTTPS_PROXY (or HTTP_PROXY for an http collection URL), percent-encoded.',
    FailureProxyTunnel:
        "the proxy answered HTTP %d instead of connecting to the server, on each of %d attempt(s). Check that the proxy lets this machine reach the server, or add the server's host to NO_PROXY.",
    FailureTokenRefused:
        "the server refused the token (HTTP %d). Check that %s is valid, not expired, and has the Work Items (Read & write) scope, and that its user may view and edit work items on the target area path.",
    NoWorkItemsToLink: 'No work item to attach the files to: none was named with --work-item.',
    // --allow-files-outside-root is a flag: "set it to true" would send the user to --allow-files-outside-root=true, which exits 2.
    FindOutsideRootLink:
        "'%s' is a link to '%s', outside '--root': the %d matching file(s) through it were skipped. A link can publish files from elsewhere on this machine; add --allow-files-outside-root to upload them anyway.",
    FindOutsideRootPath: "'%s' lies outside '--root' (it is '%s'): skipped. Add --allow-files-outside-root to upload files from outside '--root'.",
};

const templates: Readonly<Record<string, string>> = { ...(taskMessages as Record<string, string>), ...COMMAND_LINE_MESSAGES };

/** `tl.loc`'s formatting (util.format over the message), over the command line's wording of the messages. */
export const cliLoc: Localize = (key, ...params) => {
    const template = templates[key];
    if (template === undefined) {
        return [key, ...params].join(' ');
    }
    return format(withOptionNames(template), ...params);
};

function withOptionNames(template: string): string {
    return template.replace(/'([A-Za-z]+)'/g, (quoted: string, name: string) => (name in OPTION_FOR_INPUT ? `'${OPTION_FOR_INPUT[name]}'` : quoted));
}
