import type { ServerResponse } from 'http';

export interface ServiceError {
    status: number;
    message: string;
    typeKey: string;
    typeName?: string;
}

/** The shape every Azure DevOps error body has; clients show `message`. */
export function errorBody(error: ServiceError): Record<string, unknown> {
    return {
        $id: '1',
        innerException: null,
        message: error.message,
        typeName: error.typeName ?? `Microsoft.TeamFoundation.Framework.Server.${error.typeKey}, Microsoft.TeamFoundation.Framework.Server`,
        typeKey: error.typeKey,
        errorCode: 0,
        eventId: 3000,
    };
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    const payload = Buffer.from(JSON.stringify(value), 'utf8');
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(payload.length), ...headers });
    res.end(payload);
}

export function sendError(res: ServerResponse, error: ServiceError, headers: Record<string, string> = {}): void {
    sendJson(res, error.status, errorBody(error), headers);
}

/*
 * Codes TF9000xx are the emulator's own: the real service's codes for these cases are not documented,
 * and a made-up code that looked real could end up hard-coded in the product. The other codes and
 * messages follow what the service is known to send (see FACTS.md).
 */
export const errors = {
    unauthorized: (): ServiceError => ({
        status: 401,
        message: "TF400813: The user '' is not authorized to access this resource.",
        typeKey: 'UnauthorizedRequestException',
    }),
    versionOutOfRange: (requested: string, latest: string): ServiceError => ({
        status: 400,
        message: `The requested REST API version of ${requested} is out of range for this server. The latest REST API version this server supports is ${latest}.`,
        typeKey: 'VssVersionOutOfRangeException',
        typeName: 'Microsoft.VisualStudio.Services.WebApi.VssVersionOutOfRangeException, Microsoft.VisualStudio.Services.WebApi',
    }),
    versionMissing: (method: string): ServiceError => ({
        status: 400,
        message:
            `No api-version was supplied for the "${method}" request. The version must be supplied either as part of the Accept header ` +
            '(e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").',
        typeKey: 'VssApiVersionRequiredException',
        typeName: 'Microsoft.VisualStudio.Services.WebApi.VssApiVersionRequiredException, Microsoft.VisualStudio.Services.WebApi',
    }),
    versionInvalid: (value: string): ServiceError => ({
        status: 400,
        message: `The api-version '${value}' is not valid. Use the form {major}.{minor}[-preview[.{resourceVersion}]].`,
        typeKey: 'VssInvalidApiVersionException',
        typeName: 'Microsoft.VisualStudio.Services.WebApi.VssInvalidApiVersionException, Microsoft.VisualStudio.Services.WebApi',
    }),
    projectNotFound: (project: string): ServiceError => ({
        status: 404,
        message:
            `TF200016: The following project does not exist: ${project}. Verify that the name of the project is correct ` +
            'and that the project exists on the specified Azure DevOps Server.',
        typeKey: 'ProjectDoesNotExistWithNameException',
        typeName: 'Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException, Microsoft.TeamFoundation.Core.WebApi',
    }),
    sizeExceeded: (limitBytes: number): ServiceError => ({
        status: 400,
        message: `TF237082: The file you are trying to upload exceeds the supported file upload size (${(limitBytes / (1024 * 1024)).toFixed(3)} MB(s)). ` +
            'Instead of uploading the file, add the file to version control or to the team project web site, and then link the file to the work item.',
        typeKey: 'AttachmentSizeExceededException',
        typeName: 'Microsoft.TeamFoundation.WorkItemTracking.Server.AttachmentSizeExceededException, Microsoft.TeamFoundation.WorkItemTracking.Server',
    }),
    areaPathDenied: (): ServiceError => ({
        status: 403,
        message: 'TF237111: The current user does not have permissions to save work items under the specified area path.',
        // FACTS.md (Server 2022 code): the attachment create answers WorkItemUnauthorizedAttachmentException.
        typeKey: 'WorkItemUnauthorizedAttachmentException',
        typeName: 'Microsoft.TeamFoundation.WorkItemTracking.Server.WorkItemUnauthorizedAttachmentException, Microsoft.TeamFoundation.WorkItemTracking.Server',
    }),
    formData: (): ServiceError => ({
        status: 400,
        message:
            'TF400898: An Internal Error Occurred. The request body is invalid form data: an upload without ' +
            '"Content-Type: application/octet-stream" is read as form data.',
        typeKey: 'InvalidFormDataException',
    }),
    throttled: (): ServiceError => ({
        status: 429,
        message:
            "TF400733: Request was blocked due to exceeding usage of resource 'Concurrency' in namespace 'ResourceManagement'. " +
            'For more information on why your request was blocked, see the topic "Rate limits" on the Microsoft Web site (https://go.microsoft.com/fwlink/?LinkId=823950).',
        typeKey: 'RequestBlockedException',
    }),
    fileNameRequired: (): ServiceError => ({
        status: 400,
        message: 'TF900001: The fileName query parameter is required.',
        typeKey: 'ArgumentNullException',
        typeName: 'System.ArgumentNullException, mscorlib',
    }),
    badContentType: (got: string | undefined): ServiceError => ({
        status: 400,
        message: `TF900002: The attachment content must be sent as "Content-Type: application/octet-stream" (got ${got ? `"${got}"` : 'none'}).`,
        typeKey: 'InvalidContentTypeException',
    }),
    badUploadType: (value: string): ServiceError => ({
        status: 400,
        message: `TF900003: The uploadType '${value}' is not valid. Use Simple or Chunked.`,
        typeKey: 'ArgumentException',
        typeName: 'System.ArgumentException, mscorlib',
    }),
    chunkedStartHasBody: (bytes: number): ServiceError => ({
        status: 400,
        message: `TF900004: A chunked upload is started with an empty body (got ${bytes} bytes); send the content with PUT .../attachments/{id}.`,
        typeKey: 'InvalidChunkException',
    }),
    badChunk: (detail: string): ServiceError => ({
        status: 400,
        message: `TF900010: The chunk was rejected: ${detail}`,
        typeKey: 'InvalidChunkException',
    }),
    /** FACTS.md: a chunk at the wrong offset (a first chunk not at 0, a chunk ahead of the bytes received) is a 400 of this type. */
    chunkOffset: (detail: string): ServiceError => ({
        status: 400,
        message: `TF900014: The chunk was rejected: ${detail}`,
        typeKey: 'WorkItemAttachmentIncorrectOffsetException',
    }),
    /** A replayed chunk (wholly inside the bytes already received) whose bytes differ from those received. */
    replayDiffers: (id: string, first: number, last: number): ServiceError => ({
        status: 400,
        message: `TF900012: Bytes ${first}-${last} of attachment ${id} were already received with different content.`,
        typeKey: 'FileAlreadyUploadedException',
    }),
    /** What the front end answers, before reading the body, for a simple upload above its request limit (about 130 MB). */
    simpleUploadTooLarge: (declared: number, limit: number): ServiceError => ({
        status: 413,
        message: `TF900013: The request body of ${declared} bytes is larger than the ${limit} bytes accepted for a simple upload. Upload the file in chunks (uploadType=Chunked).`,
        typeKey: 'RequestEntityTooLargeException',
    }),
    chunkInProgress: (id: string): ServiceError => ({
        status: 409,
        message: `TF900011: Another chunk of attachment ${id} is still being received.`,
        typeKey: 'InvalidChunkException',
    }),
    attachmentNotFound: (id: string): ServiceError => ({
        status: 404,
        message: `TF900020: The attachment ${id} does not exist or its upload is not complete.`,
        typeKey: 'AttachmentNotFoundException',
    }),
    contentDiscarded: (id: string): ServiceError => ({
        status: 410,
        message: `TF900021: The content of attachment ${id} was not kept (the emulator runs with storage 'hash').`,
        typeKey: 'AttachmentContentDiscardedException',
    }),
    methodNotAllowed: (method: string, hint = ''): ServiceError => ({
        status: 405,
        message: `TF900030: The requested resource does not support http method '${method}'.${hint}`,
        typeKey: 'HttpMethodNotAllowedException',
    }),
    routeNotFound: (path: string): ServiceError => ({
        status: 404,
        message: `TF900031: No resource of this server matches '${path}'.`,
        typeKey: 'RouteNotFoundException',
    }),
    workItemNotFound: (id: number | string): ServiceError => ({
        status: 404,
        message: `TF401232: Work item ${id} does not exist, or you do not have permissions to read it.`,
        typeKey: 'WorkItemUnauthorizedAccessException',
        typeName: 'Microsoft.TeamFoundation.WorkItemTracking.Server.WorkItemUnauthorizedAccessException, Microsoft.TeamFoundation.WorkItemTracking.Server',
    }),
    /**
     * A failed `test /rev`: FACTS.md gives 412, TestPatchOperationFailedException and a message like
     * "VS403351: Test Operation for path /rev failed ..." (the text is from third-party reports).
     */
    workItemChanged: (): ServiceError => ({
        status: 412,
        message: 'VS403351: Test Operation for path /rev failed.',
        typeKey: 'TestPatchOperationFailedException',
        typeName: 'Microsoft.VisualStudio.Services.WebApi.Patch.TestPatchOperationFailedException, Microsoft.VisualStudio.Services.WebApi',
    }),
    /** FACTS.md's text; the status is not confirmed ("probably 400"). */
    attachmentLimit: (limit: number): ServiceError => ({
        status: 400,
        message: `VS403313: The number of attachments exceeded the limit. One work item should contain no more than ${limit} attachments.`,
        typeKey: 'WorkItemAttachmentLimitExceededException',
        typeName:
            'Microsoft.TeamFoundation.WorkItemTracking.Server.WorkItemAttachmentLimitExceededException, Microsoft.TeamFoundation.WorkItemTracking.Server',
    }),
    patchContentType: (got: string | undefined): ServiceError => ({
        status: 415,
        message:
            `The request indicated a Content-Type of "${got ?? ''}" for method type "PATCH" which is not supported. ` +
            'Valid content types for this method are: application/json-patch+json.',
        typeKey: 'VssRequestContentTypeNotSupportedException',
        typeName: 'Microsoft.VisualStudio.Services.WebApi.VssRequestContentTypeNotSupportedException, Microsoft.VisualStudio.Services.WebApi',
    }),
    badPatch: (detail: string): ServiceError => ({
        status: 400,
        message: `TF900040: The patch document is not valid: ${detail}`,
        typeKey: 'InvalidPatchDocumentException',
    }),
    attachmentNotLinkable: (url: string): ServiceError => ({
        status: 400,
        message: `TF900041: The attachment ${url} cannot be linked: it is not an attachment of this server whose upload is complete.`,
        typeKey: 'InvalidAttachmentLinkException',
    }),
    /** FACTS.md: 400 with WorkItemAttachmentAlreadyExistsException; the TF code and the text are not confirmed. */
    relationExists: (id: number, url: string): ServiceError => ({
        status: 400,
        message: `TF900042: Relation already exists: work item ${id} is already linked to the attachment ${url}.`,
        typeKey: 'WorkItemAttachmentAlreadyExistsException',
    }),
    badWorkItemId: (value: string): ServiceError => ({
        status: 400,
        message: `TF900043: '${value}' is not a valid work item id.`,
        typeKey: 'ArgumentException',
        typeName: 'System.ArgumentException, mscorlib',
    }),
    badExpand: (value: string): ServiceError => ({
        status: 400,
        message: `TF900044: The $expand value '${value}' is not valid. Use None, Relations, Fields, Links or All.`,
        typeKey: 'ArgumentException',
        typeName: 'System.ArgumentException, mscorlib',
    }),
    emulatedFault: (status: number): ServiceError => ({
        status,
        message: `TF900050: Emulated failure (HTTP ${status}).`,
        typeKey: 'EmulatedFaultException',
    }),
    internal: (detail: string): ServiceError => ({
        status: 500,
        message: `TF900099: The emulator failed: ${detail}`,
        typeKey: 'EmulatorException',
    }),
};
