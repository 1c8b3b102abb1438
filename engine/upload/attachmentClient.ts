import { contentRangeHeader, type ChunkRange } from './chunkRanges';
import { HttpError, RedirectRefusedError, UnexpectedResponseError, retryAfterMs } from '../http/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from '../http/httpTransport';
import { textStart } from '../text/safeText';

export const ATTACHMENTS_LOCATION_ID = 'e07b5fa4-1499-494d-a496-64b860fd64ff';
/** What azure-devops-node-api 17 asks for; the locator negotiates it down for servers that speak less. */
export const ATTACHMENTS_API_VERSION = '7.1-preview.3';

export interface AttachmentReference {
    readonly id: string;
    readonly url: string;
}

export interface ResolvedLocation {
    readonly requestUrl: string;
    readonly apiVersion: string;
}

/** Resolves a REST location to a URL and an api-version the server speaks, the way node-api's VsoClient does. */
export type LocateResource = (
    area: string,
    locationId: string,
    requestedVersion: string,
    routeValues: Record<string, string | undefined>,
    query: Record<string, string | undefined>,
) => Promise<ResolvedLocation>;

export type RequestBody = NonNullable<HttpRequest['body']>;

/** A started chunked upload and the URL (with api-version) its chunks go to. */
export interface ChunkTarget {
    readonly started: AttachmentReference;
    readonly location: ResolvedLocation;
}

export interface AttachmentTarget {
    readonly project?: string;
    readonly areaPath?: string;
}

/** The three calls of "Attachments - Create" and "Attachments - Upload Chunk". Each call is one request: retries belong to the caller. */
export class AttachmentClient {
    /** Where creates go, negotiated once: node-api's URL building costs more than the bytes of a small file. */
    private createLocation: Promise<ResolvedLocation> | undefined;

    constructor(
        private readonly transport: HttpTransport,
        private readonly locate: LocateResource,
        private readonly target: AttachmentTarget,
        /** Told when a successful response still asks the client to slow down (`Retry-After` on a 2xx). */
        private readonly onSlowDown: (delayMs: number) => void,
    ) {}

    async createSimple(fileName: string, body: RequestBody): Promise<AttachmentReference> {
        const location = await this.createLocationFor({ fileName, uploadType: 'Simple', areaPath: this.target.areaPath });
        const response = await this.send(location, 'POST', {}, body);
        return attachmentReference(response);
    }

    /** Registers a chunked upload. The body is empty, but the content type must still say octet-stream or the server reads it as form data. */
    async startChunked(fileName: string): Promise<AttachmentReference> {
        const location = await this.createLocationFor({ fileName, uploadType: 'Chunked', areaPath: this.target.areaPath });
        const response = await this.send(location, 'POST', {}, emptyBody);
        return attachmentReference(response);
    }

    /** Where the chunks of a started upload go: one URL for all of them, so it is resolved once per file, not once per chunk. */
    async chunkTarget(started: AttachmentReference, fileName: string): Promise<ChunkTarget> {
        return { started, location: await this.attachmentsLocation(started.id, { fileName }) };
    }

    /** Sends one chunk. Intermediate chunks answer 202 and may carry no body; the last answers 201 with the reference. */
    async uploadChunk(target: ChunkTarget, range: ChunkRange, body: RequestBody): Promise<AttachmentReference> {
        const response = await this.send(target.location, 'PUT', { 'Content-Range': contentRangeHeader(range) }, body);
        return range.last + 1 === range.total ? attachmentReference(response) : target.started;
    }

    private attachmentsLocation(id: string | undefined, query: Record<string, string | undefined>): Promise<ResolvedLocation> {
        return this.locate('wit', ATTACHMENTS_LOCATION_ID, ATTACHMENTS_API_VERSION, { project: this.target.project, id }, query);
    }

    /** The create location with this query, written the way node-api writes it; a failed negotiation is not kept. */
    private async createLocationFor(query: Record<string, string | undefined>): Promise<ResolvedLocation> {
        this.createLocation ??= this.attachmentsLocation(undefined, {}).catch((error: unknown) => {
            this.createLocation = undefined;
            throw error;
        });
        const { requestUrl, apiVersion } = await this.createLocation;
        return { requestUrl: `${requestUrl}${requestUrl.includes('?') ? '&' : '?'}${queryString(query)}`, apiVersion };
    }

    private async send(location: ResolvedLocation, method: 'POST' | 'PUT', headers: Record<string, string>, body: RequestBody): Promise<HttpResponse> {
        const response = await this.transport.send({
            method,
            url: location.requestUrl,
            headers: {
                Accept: `application/json;api-version=${location.apiVersion}`,
                'Content-Type': 'application/octet-stream',
                ...headers,
            },
            body,
        });
        return checkResponse(response, this.onSlowDown);
    }
}

const emptyBody: RequestBody = { length: 0, open: () => Buffer.alloc(0) };

/** Turns every response the protocol does not promise into a typed error; a 2xx may still ask the client to slow down (`Retry-After`). */
export function checkResponse(response: HttpResponse, onSlowDown: (delayMs: number) => void): HttpResponse {
    const { status, headers } = response;
    if (status >= 300 && status < 400) {
        throw new RedirectRefusedError(status, String(headers.location ?? ''));
    }
    if (status === 203 || status < 200 || status >= 300) {
        throw HttpError.fromResponse(status, headers, response.body);
    }
    const delayMs = retryAfterMs(headers);
    if (delayMs !== undefined && delayMs > 0) {
        onSlowDown(delayMs);
    }
    return response;
}

/** `name=value&...` with both parts percent-encoded and undefined values left out, as node-api's VsoClient does. */
function queryString(query: Record<string, string | undefined>): string {
    return Object.entries(query)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
        .join('&');
}

function attachmentReference(response: HttpResponse): AttachmentReference {
    let parsed: unknown;
    try {
        parsed = JSON.parse(response.body);
    } catch {
        parsed = undefined;
    }
    const candidate = parsed as Partial<AttachmentReference> | undefined;
    if (!candidate || typeof candidate.id !== 'string' || typeof candidate.url !== 'string') {
        throw new UnexpectedResponseError(response.status, textStart(response.body.replace(/\s+/g, ' '), 120));
    }
    return { id: candidate.id, url: candidate.url };
}
