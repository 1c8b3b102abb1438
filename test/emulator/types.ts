export interface EmulatorOptions {
    /** Accepted as `Bearer <token>` or as the password of `Basic base64(user:<token>)`. Default 'emulator-token'. */
    token?: string;
    /** Highest REST api-version the server speaks. Default '7.1'; '5.0' behaves like Azure DevOps Server 2019. */
    serverVersion?: string;
    /**
     * Appended, as it is, to the URL of every attachment the server hands out (after `?fileName=...`): the service
     * documents no alphabet for these URLs, so a test can make them carry `;`, brackets or logging commands.
     */
    attachmentUrlSuffix?: string;
    /** Default 60 MiB, the service's "60 MB" limit; 4 MiB when serverVersion is below 4.0 (TFS 2017 and older). */
    maxAttachmentBytes?: number;
    /**
     * A simple upload whose Content-Length passes this is answered 413 before its body is read, and the connection
     * is closed, as a front end with a request size limit does. Default 130 MiB (FACTS: above 130 MB chunked is required).
     */
    maxSimpleUploadBytes?: number;
    /**
     * What a chunk wholly inside the bytes already received (a resend whose reply was lost) gets. 'accept' (default):
     * treated as a replay and accepted when its bytes are the same, and offset 0 starts the file again, as the
     * server's own code does (Azure DevOps Server 2022; the hosted service is not confirmed). 'reject': refused with
     * 400, like a chunk at the wrong offset, and a chunk sent to a complete attachment is refused as "already complete".
     */
    chunkReplay?: 'accept' | 'reject';
    /**
     * What the start of a chunked upload (the empty POST) answers: 202 (default; FACTS.md: "believed to return 202")
     * or 201, as the 7.1 spec's "chunked register" example shows. Which one the service sends is not confirmed.
     */
    chunkedStartStatus?: 201 | 202;
    /** Creating an attachment with one of these areaPath values (case-insensitive) answers 403 TF237111. */
    deniedAreaPaths?: string[];
    /** 'memory' keeps the bytes (default); 'hash' keeps only size and sha256, so benchmarks can push gigabytes. */
    storage?: 'memory' | 'hash';
    /** Default '/org'. */
    collectionPath?: string;
    projects?: { id: string; name: string }[];
    /** When set the emulator speaks HTTPS. With requestCert, clients must present a certificate signed by `ca`. */
    tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
    /**
     * What `GET _apis/ResourceAreas` answers: on-prem `{"count":0,"value":null}` (default), on-prem 404 ('onprem404':
     * FACTS.md says on-prem servers answer one or the other) or a hosted-style list.
     */
    resourceAreas?: 'onprem' | 'onprem404' | 'hosted';
    /** With resourceAreas 'hosted': area name ('wit', 'build', ...) → the locationUrl the lookup names instead, e.g. another host. */
    resourceAreaUrls?: Record<string, string>;
    /** Port to listen on; default 0, a free port. */
    port?: number;
    /** Work items that exist, all in the first project. */
    workItems?: WorkItemSeed[];
    /** buildId → ids of the work items the build is associated with (served as given, existing or not). */
    buildWorkItems?: Record<string, number[]>;
    /** releaseId → ids of the work items the classic release is associated with. */
    releaseWorkItems?: Record<string, number[]>;
    /**
     * How many refs the build's, the between-builds and the release's work item routes return when the request sends
     * no `$top`. FACTS.md is silent; third-party reports (rfennell/AzurePipelines#195 and #2141) say the service
     * returns 50. Default: all of them.
     */
    workItemRefsDefaultTop?: number;
    /** Runs of pipelines, for the builds list and the work items between builds. */
    builds?: BuildSeed[];
    /** Deployments of classic releases to stages, for the deployments list. */
    deployments?: DeploymentSeed[];
    /** What a WIQL query finds, or that the server rejects it; default: nothing found. */
    wiql?: (query: string) => WiqlAnswer;
}

export interface BuildSeed {
    id: number;
    definitionId: number;
    /** As Build.SourceBranch spells it: refs/heads/main, refs/pull/7/merge. */
    sourceBranch: string;
    /** Default 'completed'. */
    status?: 'completed' | 'inProgress';
    result?: 'succeeded' | 'partiallySucceeded' | 'failed' | 'canceled';
    /** ISO time; orders finishTimeDescending. */
    finishTime?: string;
    /** Its work items (unless buildWorkItems names them). */
    workItems?: number[];
}

export interface DeploymentSeed {
    id: number;
    releaseId: number;
    definitionId: number;
    definitionEnvironmentId: number;
    status: 'succeeded' | 'partiallySucceeded' | 'failed' | 'inProgress' | 'notDeployed';
}

/** The ids a flat query finds; the rows of a link query (no source: a top-level item); or the server's refusal message. */
export type WiqlAnswer = { workItems: number[] } | { links: { source?: number; target: number; rel?: string }[] } | { error: string };

export interface WorkItemSeed {
    id: number;
    /** Default 'Work item {id}'. */
    title?: string;
    /**
     * Pre-populates this many AttachedFile relations, named existing-1.txt, existing-2.txt..., whose URLs
     * point at this emulator but at no stored attachment.
     */
    attachedFiles?: number;
    /** AttachedFile relations put there by someone else, after the `attachedFiles` ones: any comment, real content or any URL. */
    attachments?: AttachedFileSeed[];
}

/**
 * An AttachedFile relation a test puts on a work item, as another user (or an earlier run) might have: with any
 * comment (a `[sha256:...]` marker that does not match the content, say), and real stored content or any URL.
 */
export interface AttachedFileSeed {
    /** The attachment's name, and the relation's `name` attribute. */
    fileName: string;
    /** Stored as a complete attachment of this emulator, downloadable like an upload; the relation links it. */
    content?: Buffer | string;
    /** The relation's URL instead of the stored attachment's (another host, another collection); required without content. */
    url?: string;
    comment?: string;
    /**
     * What the relation's `resourceSize` attribute says; default the stored content's size, as the service sets it.
     * Whether a client can make the service store another value is not known: this lets a test assume it can.
     */
    resourceSize?: number;
}

export interface WorkItemRelation {
    rel: string;
    url: string;
    attributes: Record<string, unknown>;
}

export interface WorkItemSnapshot {
    id: number;
    rev: number;
    title: string;
    /** The project's name. */
    project: string;
    relations: WorkItemRelation[];
    /** Every System.History value set, oldest first: the Discussion entries. */
    history: string[];
}

export type Headers = Record<string, string | string[] | undefined>;

export interface RecordedRequest {
    seq: number;
    method: string;
    /** Path and query exactly as received. */
    url: string;
    /** As received, still percent-encoded. */
    path: string;
    /** Keys as sent, values decoded. */
    query: Record<string, string>;
    /** As received, including `authorization`. */
    headers: Headers;
    apiVersion?: string;
    /** What the emulator read of the body; a request answered early or reset may not have been read to its end. */
    bodyBytes: number;
    bodySha256: string;
    /** 0 when the connection was reset or destroyed instead of answered. */
    status: number;
    fault?: string;
    /** A reply that a 'lostReply' or 'trickle' fault took over: the status the emulator had decided on (the request was committed). */
    committedStatus?: number;
    /** Which listener took the request: the collection host, or the release host ('vsrm') of resourceAreas 'hosted'. */
    host: 'main' | 'release';
    /** HTTPS only: whether the client presented a certificate the emulator's CA vouches for. */
    clientCertAuthorized?: boolean;
    /** The peer's port: tells which connection carried the request (a proxy's, or the client's own). */
    remotePort?: number;
    /** performance.now() when the request's headers arrived, and when it was over: the benchmark times transfers with them. */
    receivedAtMs: number;
    endedAtMs: number;
}

export interface StoredAttachment {
    id: string;
    fileName: string;
    areaPath?: string;
    /** As written in the route (name or id); undefined for a collection-level attachment. */
    project?: string;
    uploadType: 'simple' | 'chunked';
    /** Bytes received so far. */
    size: number;
    /** Of the bytes received so far. */
    sha256: string;
    complete: boolean;
    /** Memory storage only, once complete. */
    content?: Buffer;
    chunks: { first: number; last: number; total: number }[];
    url: string;
}

export type FaultAction =
    | {
          kind: 'status';
          status: number;
          headers?: Record<string, string>;
          /** An object is sent as JSON, a string as is. Default: a TF-style error body. */
          body?: unknown;
          /** Default true: read the whole request body before answering. */
          consumeBody?: boolean;
          /**
           * Answer straight away on the socket without reading the body, then reset the connection 100 ms later, as a
           * front end that refuses a request by its headers and hangs up does. 'complete': the whole answer goes out
           * first; 'cutShort': its body goes out chunked without the last chunk, so the answer never ends.
           */
          early?: 'complete' | 'cutShort';
      }
    /** Reads this many body bytes (default half the Content-Length, at least 1), then drops the connection unanswered. */
    | { kind: 'reset'; afterBytes?: number }
    /** Waits, then handles the request normally. */
    | { kind: 'delay'; ms: number }
    /** Runs the callback (awaited if it returns a promise), then handles the request normally. */
    | { kind: 'before'; run: () => void | Promise<void> }
    /** Stops reading (after `afterBytes` body bytes, default at once) and never answers; only the client's watchdog or stop() ends it. */
    | { kind: 'stall'; afterBytes?: number }
    /** Handles the request normally (the server commits it), then drops the connection instead of sending the reply. */
    | { kind: 'lostReply' }
    /**
     * Handles the request normally, then sends the reply, status line and headers included, one byte every
     * `intervalMs` (default 500), so that no idle timeout ever fires; the connection closes after the last byte.
     */
    | { kind: 'trickle'; intervalMs?: number }
    /** Handles the request normally and adds these headers to its reply (a `Retry-After` or `X-RateLimit-*` on a success). */
    | { kind: 'headers'; headers: Record<string, string> }
    /**
     * Handles the request normally (the server commits it), then sends its status with an empty body, as a gateway that
     * drops response bodies does, or a server whose intermediate chunk replies carry none (FACTS does not say they do).
     */
    | { kind: 'emptyReply' };

export interface FaultRequestInfo {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Headers;
}

export interface FaultRule {
    method?: string;
    /** A string matches as a substring of the path. */
    path?: RegExp | string;
    match?: (req: FaultRequestInfo) => boolean;
    /** 1-based: fires from the nth matching request on. Default 1. */
    nth?: number;
    /** How many consecutive matching requests it fires for. Default 1; Infinity allowed. */
    times?: number;
    action: FaultAction;
    /** Recorded as RecordedRequest.fault; default describes the action, e.g. 'status:429'. */
    name?: string;
}
