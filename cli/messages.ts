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
    NoWorkItemsToLink: 'No work item to attach the files to: neither --work-item nor --query selected any.',
    // The task's advice points at the pipeline agent (its proxy settings, its permissions) and at pipelines; here it is this machine and the environment.
    FailureNetwork:
        'the network failed (%s: %s) on each of %d attempt(s). Check that this machine can reach the server, and the proxy settings: HTTPS_PROXY (HTTP_PROXY for an http collection URL) and NO_PROXY.',
    FailureUnexpectedResponse:
        "the server answered HTTP %d with something that is not the JSON Azure DevOps sends (%s). Check that --org is the collection's URL; a proxy or gateway between this machine and the server (HTTPS_PROXY, HTTP_PROXY) may be answering instead.",
    FailureRedirect:
        "the server answered HTTP %d, a redirect to '%s'. ado-attach does not follow redirects, so the token is never sent to another host. Check that --org is the server's real address.",
    FailureStalled: "the connection sent and received nothing for %d s, %d time(s) in a row. Check the network between this machine and the server, or raise '--stall-timeout'.",
    FailureStalledConnect:
        "the connection stalled: no connection to the server was ready within %d s (%s got no answer), %d time(s) in a row. Check that the proxy in HTTPS_PROXY (HTTP_PROXY for an http collection URL) answers and that the server completes the TLS handshake, or raise '--stall-timeout'.",
    FailureStalledResponse:
        "the server stalled: its answer was not complete within %d s of the request being sent, %d time(s) in a row. Check the network between this machine and the server, and its proxy, or raise '--stall-timeout'.",
    FailureThrottled: "the server kept throttling the upload (HTTP 429) for all %d attempt(s): %s. Run ado-attach later, lower '--concurrency', or raise '--retries'.",
    FailureThrottleBudget:
        "the server was still throttling the upload (HTTP 429: %s) after the run had waited %s for throttling in all, the most it waits. Run ado-attach later, or lower '--concurrency'.",
    FindUnreadable: "'%s' could not be read (%s): skipped, with everything in it. Check the permissions on it, or exclude it with a pattern that starts with '!'.",
    // --allow-files-outside-root is a flag: "set it to true" would send the user to --allow-files-outside-root=true, which exits 2.
    FindOutsideRootLink:
        "'%s' is a link to '%s', outside '--root': the %d matching file(s) through it were skipped. A link can publish files from elsewhere on this machine; add --allow-files-outside-root to upload them anyway.",
    FindOutsideRootPath: "'%s' lies outside '--root' (it is '%s'): skipped. Add --allow-files-outside-root to upload files from outside '--root'.",
    FindOutsideRootFolderLink:
        "'%s' is a link to '%s', a folder outside '--root': not searched. A link can publish files from elsewhere on this machine; add --allow-files-outside-root to upload its files anyway.",
    FailureFileChangedWhileHashing:
        'the file changed while its SHA-256 was being computed for linking (it had %s when it matched), so it was neither uploaded nor linked. Run ado-attach again once whatever writes it has finished.',
    FailureFileLocked:
        'the file is locked by another process, or this user may not read it (%s, on each of %d attempts): an antivirus scanner or a program that still has it open can hold it. It was not uploaded. Close that program, exclude the folder from scanning, or run ado-attach once whatever writes the file has finished.',
    FailureFileLockedWhileHashing:
        'the file is locked by another process, or this user may not read it (%s, on each of %d attempts), while its SHA-256 was being computed for linking: an antivirus scanner or a program that still has it open can hold it. It was neither uploaded nor linked. Close that program, exclude the folder from scanning, or run ado-attach once whatever writes the file has finished.',
    FailureApiVersion: 'the server does not speak a REST API version ado-attach can use: %s. ado-attach needs Azure DevOps Server 2019 or later.',
    FailureServerError:
        "the server failed (HTTP %d) on each of %d attempt(s): %s. Run ado-attach again later, or raise '--retries'; if it keeps failing, ask the server's administrator (on Azure DevOps Services, see https://status.dev.azure.com).",
    FailureChunkState:
        "the server's answers to the chunks did not match what was sent, even after starting the file again as a new attachment %d time(s) (%s). No complete copy of it is linked; run ado-attach again.",
    FailureNotACollection:
        "the server did not answer as an Azure DevOps collection: it names no location for its '%s' REST API (it answered \"not found\", a page that is not JSON, or nothing). Check that --org is the collection's own address (https://dev.azure.com/{organization}/, or https://{server}/tfs/{collection}/ on Azure DevOps Server), and that no proxy or sign-in page answers in the server's place. ado-attach needs Azure DevOps Server 2019 or later.",
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
