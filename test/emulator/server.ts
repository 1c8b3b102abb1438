import * as http from 'http';
import * as https from 'https';
import type { AddressInfo, Socket } from 'net';
import { AttachmentStore } from './attachments';
import { isAuthorized, rejectUnauthenticated } from './auth';
import { errors, sendError, sendJson } from './errors';
import { Exchange } from './exchange';
import { FaultBook, playFault } from './faults';
import { locationsFor, resourceArea, resourceAreas } from './locations';
import type { AttachedFileSeed, EmulatorOptions, FaultRule, RecordedRequest, StoredAttachment, WorkItemRelation, WorkItemSeed, WorkItemSnapshot } from './types';
import { compareVersions, parseApiVersion, type ApiVersion } from './versions';
import { defaultTop, RunStore } from './runs';
import { answerWiql } from './wiql';
import { WorkItemStore, workItemRefs } from './workitems';

type Host = 'main' | 'release';
type Listener = http.Server | https.Server;

const defaultProjects = [{ id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' }];

interface Settings {
    token: string;
    serverVersion: string;
    parsedServerVersion: ApiVersion;
    projects: { id: string; name: string }[];
    resourceAreas: 'onprem' | 'onprem404' | 'hosted';
    collectionPath: string;
}

/** A local stand-in for the parts of Azure DevOps that a work item attachment upload touches. */
export class AzureDevOpsEmulator {
    /** Requests that have completed (answered, reset or abandoned), in arrival order. */
    readonly requests: RecordedRequest[] = [];
    readonly collectionUrl: string;
    readonly origin: string;
    readonly port: number;
    /**
     * Where the Release area is served: with resourceAreas 'hosted' a second listener, the release
     * host ('vsrm'), with the same collection path; on-prem the collection itself.
     */
    readonly releaseCollectionUrl: string;

    private readonly faults = new FaultBook();
    private readonly sockets = new Set<Socket>();
    private readonly timers = new Map<NodeJS.Timeout, () => void>();
    private readonly store: AttachmentStore;
    private readonly workItemStore: WorkItemStore;
    private readonly buildWorkItems: Map<string, number[]>;
    private readonly releaseWorkItems: Map<string, number[]>;
    private readonly runs: RunStore;
    /** Every WIQL query received, in order. */
    readonly wiqlQueries: string[] = [];
    private seq = 0;
    private stopped = false;

    private constructor(
        private readonly server: Listener,
        private readonly releaseServer: Listener | undefined,
        private readonly settings: Settings,
        private readonly options: EmulatorOptions,
    ) {
        const scheme = options.tls ? 'https' : 'http';
        this.port = (server.address() as AddressInfo).port;
        this.origin = `${scheme}://127.0.0.1:${this.port}`;
        this.collectionUrl = `${this.origin}${settings.collectionPath}/`;
        this.releaseCollectionUrl = releaseServer
            ? `${scheme}://127.0.0.1:${(releaseServer.address() as AddressInfo).port}${settings.collectionPath}/`
            : this.collectionUrl;
        this.store = new AttachmentStore({
            storage: options.storage ?? 'memory',
            maxAttachmentBytes: options.maxAttachmentBytes ?? defaultAttachmentLimit(settings.parsedServerVersion),
            maxSimpleUploadBytes: options.maxSimpleUploadBytes ?? 130 * 1024 * 1024,
            chunkReplay: options.chunkReplay ?? 'accept',
            chunkedStartStatus: options.chunkedStartStatus ?? 202,
            deniedAreaPaths: options.deniedAreaPaths ?? [],
            collectionUrl: this.collectionUrl,
            urlSuffix: options.attachmentUrlSuffix ?? '',
        });
        this.workItemStore = new WorkItemStore({
            collectionUrl: this.collectionUrl,
            project: settings.projects[0] ?? defaultProjects[0],
            attachment: (id) => this.store.get(id),
            storeAttachment: (fileName, content) => this.store.seed(fileName, content),
        });
        for (const seed of options.workItems ?? []) {
            this.workItemStore.add(seed);
        }
        this.buildWorkItems = new Map(Object.entries(options.buildWorkItems ?? {}).map(([id, ids]) => [id, [...ids]]));
        this.releaseWorkItems = new Map(Object.entries(options.releaseWorkItems ?? {}).map(([id, ids]) => [id, [...ids]]));
        this.runs = new RunStore(this.collectionUrl, options.builds ?? [], this.buildWorkItems, options.deployments ?? [], this.releaseWorkItems, options.workItemRefsDefaultTop);
        this.attach(server, 'main');
        if (releaseServer) {
            this.attach(releaseServer, 'release');
        }
    }

    private attach(server: Listener, host: Host): void {
        server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res, host));
        server.on('connection', (socket: Socket) => {
            this.sockets.add(socket);
            socket.once('close', () => this.sockets.delete(socket));
        });
    }

    static async start(options: EmulatorOptions = {}): Promise<AzureDevOpsEmulator> {
        const serverVersion = options.serverVersion ?? '7.1';
        const parsedServerVersion = parseApiVersion(serverVersion);
        if (!parsedServerVersion) {
            throw new RangeError(`serverVersion '${serverVersion}' is not of the form {major}.{minor}`);
        }
        const settings: Settings = {
            token: options.token ?? 'emulator-token',
            serverVersion,
            parsedServerVersion,
            projects: options.projects ?? defaultProjects,
            resourceAreas: options.resourceAreas ?? 'onprem',
            collectionPath: normalizeCollectionPath(options.collectionPath ?? '/org'),
        };
        const server = await listen(options, options.port ?? 0);
        let releaseServer: Listener | undefined;
        if (settings.resourceAreas === 'hosted') {
            try {
                releaseServer = await listen(options, 0);
            } catch (err) {
                await new Promise<void>((resolve) => server.close(() => resolve()));
                throw err;
            }
        }
        return new AzureDevOpsEmulator(server, releaseServer, settings, options);
    }

    attachments(): StoredAttachment[] {
        return this.store.list();
    }

    attachment(id: string): StoredAttachment | undefined {
        return this.store.get(id);
    }

    /** A copy of the work item as the service holds it now, or undefined. */
    workItem(id: number): WorkItemSnapshot | undefined {
        return this.workItemStore.snapshot(id);
    }

    /** Throws when the id is taken. */
    addWorkItem(item: WorkItemSeed): void {
        this.workItemStore.add(item);
    }

    /** Stores a complete attachment as if someone else had uploaded it (simple); its URL is the one uploads get. */
    storeAttachment(fileName: string, content: Buffer | string): StoredAttachment {
        return this.store.seed(fileName, Buffer.from(content));
    }

    /** Someone else links a file to the work item, with any comment, real content or any URL (a new revision). */
    attachToWorkItem(id: number, seed: AttachedFileSeed): WorkItemRelation {
        return this.workItemStore.attach(id, seed);
    }

    /** Someone else removes the relation at `index` (among all of the item's relations, as a PATCH names it): a new revision. */
    detachFromWorkItem(id: number, index: number): WorkItemRelation {
        return this.workItemStore.detach(id, index);
    }

    /** Someone else deletes the work item: reads and PATCHes of it then answer 404 (TF401232). */
    deleteWorkItem(id: number): void {
        this.workItemStore.delete(id);
    }

    /** Bumps the rev as a concurrent edit by someone else would, so a PATCH testing the old rev fails with 412. */
    touchWorkItem(id: number): void {
        this.workItemStore.touch(id);
    }

    addFault(rule: FaultRule): void {
        this.faults.add(rule);
    }

    clearFaults(): void {
        this.faults.clear();
    }

    /** GETs a URL with the token, as a client following an attachment URL would. The request is recorded like any other. */
    download(url: string, clientCertificate?: { key: string | Buffer; cert: string | Buffer }): Promise<Buffer> {
        const target = new URL(url);
        const client = target.protocol === 'https:' ? https : http;
        const tls = this.options.tls;
        return new Promise<Buffer>((resolve, reject) => {
            const req = client.request(
                target,
                {
                    method: 'GET',
                    agent: false,
                    headers: { Authorization: `Bearer ${this.settings.token}`, 'X-TFS-FedAuthRedirect': 'Suppress' },
                    ...(target.protocol === 'https:' ? { ca: tls?.ca ?? tls?.cert, ...clientCertificate } : {}),
                },
                (res) => {
                    const parts: Buffer[] = [];
                    res.on('data', (chunk: Buffer) => parts.push(chunk));
                    res.on('error', reject);
                    res.on('end', () => {
                        const body = Buffer.concat(parts);
                        if (res.statusCode === 200) {
                            resolve(body);
                        } else {
                            reject(new Error(`GET ${url} answered ${res.statusCode}: ${body.toString('utf8').slice(0, 300)}`));
                        }
                    });
                },
            );
            req.on('error', reject);
            req.end();
        });
    }

    async stop(): Promise<void> {
        if (this.stopped) {
            return;
        }
        this.stopped = true;
        for (const [timer, wake] of this.timers) {
            clearTimeout(timer);
            wake();
        }
        this.timers.clear();
        const servers = this.releaseServer ? [this.server, this.releaseServer] : [this.server];
        const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
        // The server reports closed before its sockets do; waiting for the sockets lets every request
        // they carried be recorded before the caller looks at `requests`.
        const socketsClosed = [...this.sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
        for (const server of servers) {
            server.closeAllConnections();
        }
        for (const socket of this.sockets) {
            socket.destroy();
        }
        await Promise.all([...closed, ...socketsClosed]);
        await new Promise<void>((resolve) => setImmediate(resolve));
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse, host: Host): Promise<void> {
        const ex = new Exchange(++this.seq, req, res);
        ex.host = host;
        res.once('close', () => this.record(ex));
        try {
            const fault = this.faults.pick(ex);
            if (fault) {
                ex.fault = fault.label;
                const proceed = await playFault(ex, fault.action, (ms) => this.sleep(ms));
                if (!proceed) {
                    return;
                }
            }
            await this.route(ex);
        } catch (err) {
            // Mostly a client that hung up mid-body; otherwise an emulator bug, which a test should see as a 500.
            if (!res.headersSent && !req.socket.destroyed) {
                sendError(res, errors.internal(err instanceof Error ? err.message : String(err)));
            } else {
                res.destroy();
            }
        }
    }

    /**
     * Kept in arrival order although requests end in any order: a reset or stalled request is only
     * closed after its retry may have started, and tests read `requests` as the client's story.
     */
    private record(ex: Exchange): void {
        const entry = ex.toRecord();
        let at = this.requests.length;
        while (at > 0 && this.requests[at - 1].seq > entry.seq) {
            at--;
        }
        this.requests.splice(at, 0, entry);
    }

    /** Resolves true after `ms`, or false at once when the emulator stops in the meantime. */
    private sleep(ms: number): Promise<boolean> {
        return new Promise<boolean>((resolve) => {
            if (this.stopped) {
                resolve(false);
                return;
            }
            const timer = setTimeout(() => {
                this.timers.delete(timer);
                resolve(!this.stopped);
            }, ms);
            this.timers.set(timer, () => resolve(false));
        });
    }

    private async route(ex: Exchange): Promise<void> {
        if (!isAuthorized(ex.header('authorization'), this.settings.token)) {
            return rejectUnauthenticated(ex);
        }
        const segments = this.segmentsInCollection(ex.path);
        const apis = segments?.findIndex((segment) => segment.toLowerCase() === '_apis') ?? -1;
        if (!segments || apis < 0 || apis > 1) {
            return ex.fail(errors.routeNotFound(ex.path));
        }
        const project = apis === 1 ? segments[0] : undefined;
        const tail = segments.slice(apis + 1);
        const lower = tail.map((segment) => segment.toLowerCase());
        const [area, resource] = lower;
        const isAttachments = area === 'wit' && resource === 'attachments';

        // The links the service hands out for attachments carry no api-version, and browsers follow them.
        const versionOptional = ex.method === 'OPTIONS' || (isAttachments && tail.length === 3 && ex.method === 'GET');
        const versionError = this.checkVersion(ex, versionOptional);
        if (versionError) {
            return versionError;
        }
        if (project !== undefined && !this.findProject(project)) {
            return ex.fail(errors.projectNotFound(project));
        }
        if (area === undefined) {
            return ex.fail(errors.routeNotFound(ex.path));
        }
        const served = this.serves(ex.host, area);
        if (resource === undefined && ex.method === 'OPTIONS') {
            await ex.body.read();
            return sendJson(ex.res, 200, locationsFor(served ? area : '', this.settings.serverVersion));
        }
        if (area === 'resourceareas' && tail.length <= 2) {
            return this.resourceAreasRoute(ex, resource);
        }
        if (!served) {
            return ex.fail(errors.routeNotFound(ex.path));
        }
        if (isAttachments && tail.length <= 3) {
            return this.attachmentsRoute(ex, project, tail[2]);
        }
        if (area === 'wit' && resource === 'workitems' && tail.length === 3) {
            return this.workItemRoute(ex, tail[2]);
        }
        // These are project-scoped: their route templates have no project-less form.
        if (area === 'build' && resource === 'builds' && tail.length === 4 && lower[3] === 'workitems' && project !== undefined) {
            return this.refsRoute(ex, this.runs.workItemsOfBuild(Number(tail[2])));
        }
        if (area === 'release' && resource === 'releases' && tail.length === 4 && lower[3] === 'workitems' && project !== undefined) {
            return ex.method === 'GET' ? this.runs.releaseWorkItemsRoute(ex, tail[2]) : ex.fail(errors.methodNotAllowed(ex.method));
        }
        if (project !== undefined && tail.length === 2 && ex.method === 'GET') {
            if (area === 'build' && resource === 'builds') {
                return this.runs.listBuilds(ex);
            }
            if (area === 'build' && resource === 'workitems') {
                return this.runs.workItemsBetween(ex);
            }
            if (area === 'release' && resource === 'deployments') {
                return this.runs.listDeployments(ex);
            }
        }
        if (area === 'wit' && resource === 'wiql' && tail.length === 2 && project !== undefined) {
            return answerWiql(ex, this.collectionUrl, this.options.wiql, this.wiqlQueries);
        }
        return ex.fail(errors.routeNotFound(ex.path));
    }

    /**
     * Like the hosted service, the release host serves only the Release area and the collection host
     * everything else; on-prem the collection serves it all. Both answer location questions.
     */
    private serves(host: Host, area: string): boolean {
        if (area === 'location' || area === 'resourceareas') {
            return true;
        }
        if (!this.releaseServer) {
            return true;
        }
        return (area === 'release') === (host === 'release');
    }

    private attachmentsRoute(ex: Exchange, project: string | undefined, id: string | undefined): Promise<void> {
        if (id === undefined) {
            return ex.method === 'POST' ? this.store.create(ex, project) : ex.fail(errors.methodNotAllowed(ex.method));
        }
        switch (ex.method) {
            case 'PUT':
                return this.store.uploadChunk(ex, id);
            case 'GET':
                return this.store.download(ex, id);
            default:
                return ex.fail(errors.methodNotAllowed(ex.method, ex.method === 'POST' ? ' Chunks are uploaded with PUT.' : ''));
        }
    }

    private workItemRoute(ex: Exchange, id: string): Promise<void> {
        switch (ex.method) {
            case 'GET':
                return this.workItemStore.get(ex, id);
            case 'PATCH':
                return this.workItemStore.update(ex, id);
            default:
                return ex.fail(errors.methodNotAllowed(ex.method));
        }
    }

    /** "Builds - Get Build Work Items Refs" and "Releases - Get Release Work Items Refs"; an unknown build or release has none. */
    private refsRoute(ex: Exchange, ids: number[] | undefined): Promise<void> {
        if (ex.method !== 'GET') {
            return ex.fail(errors.methodNotAllowed(ex.method));
        }
        return ex.json(200, workItemRefs(this.collectionUrl, ids ?? [], ex.q('$top') ?? defaultTop(this.options.workItemRefsDefaultTop)));
    }

    /** Answers the request itself when the api-version is missing, malformed or newer than the server speaks. */
    private checkVersion(ex: Exchange, optional: boolean): Promise<void> | undefined {
        if (ex.apiVersion === undefined) {
            return optional ? undefined : ex.fail(errors.versionMissing(ex.method));
        }
        const requested = parseApiVersion(ex.apiVersion);
        if (!requested) {
            return ex.fail(errors.versionInvalid(ex.apiVersion));
        }
        if (compareVersions(requested, this.settings.parsedServerVersion) > 0) {
            return ex.fail(errors.versionOutOfRange(requested.number, this.settings.serverVersion));
        }
        return undefined;
    }

    private async resourceAreasRoute(ex: Exchange, areaId: string | undefined): Promise<void> {
        if (ex.method !== 'GET') {
            return ex.fail(errors.methodNotAllowed(ex.method));
        }
        const mode = this.settings.resourceAreas;
        if (mode === 'onprem404') {
            // FACTS.md: some on-prem servers answer 404 here instead of an empty list.
            return ex.fail(errors.routeNotFound(ex.path));
        }
        if (areaId === undefined) {
            return ex.json(200, resourceAreas(mode, this.collectionUrl, this.releaseCollectionUrl, this.options.resourceAreaUrls));
        }
        const area = resourceArea(mode, this.collectionUrl, areaId, this.releaseCollectionUrl, this.options.resourceAreaUrls);
        return area ? ex.json(200, area) : ex.fail(errors.routeNotFound(ex.path));
    }

    /** The decoded path segments below the collection, or undefined when the path is outside it. */
    private segmentsInCollection(path: string): string[] | undefined {
        const prefix = this.settings.collectionPath.toLowerCase();
        const lower = path.toLowerCase();
        if (prefix && lower !== prefix && !lower.startsWith(`${prefix}/`)) {
            return undefined;
        }
        try {
            return path
                .slice(prefix.length)
                .split('/')
                .filter((segment) => segment.length > 0)
                .map((segment) => decodeURIComponent(segment));
        } catch {
            return undefined;
        }
    }

    private findProject(nameOrId: string): { id: string; name: string } | undefined {
        const wanted = nameOrId.toLowerCase();
        return this.settings.projects.find((project) => project.id.toLowerCase() === wanted || project.name.toLowerCase() === wanted);
    }
}

async function listen(options: EmulatorOptions, port: number): Promise<Listener> {
    const server = options.tls
        ? https.createServer({
              key: options.tls.key,
              cert: options.tls.cert,
              ca: options.tls.ca,
              requestCert: options.tls.requestCert ?? false,
              rejectUnauthorized: options.tls.requestCert ?? false,
          })
        : http.createServer();
    // Uploads of hundreds of megabytes may take longer than Node's default 5-minute request timeout.
    server.requestTimeout = 0;
    // Longer than clients keep idle sockets, so a reused socket is never closed under a client's feet.
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
        });
    });
    return server;
}

/** FACTS.md: 60 MB by default, 4 MB on TFS 2017 and older (which speak REST 3.x and below). */
function defaultAttachmentLimit(version: ApiVersion): number {
    return (version.major < 4 ? 4 : 60) * 1024 * 1024;
}

/** '/org/' and 'org' both mean '/org'; '/' means the server root. */
function normalizeCollectionPath(path: string): string {
    const trimmed = path.replace(/^\/+|\/+$/g, '');
    return trimmed ? `/${trimmed}` : '';
}
