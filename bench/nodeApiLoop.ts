/**
 * The baseline for many small files, the way other tasks on the marketplace upload attachments: a sequential loop of
 * azure-devops-node-api's WorkItemTrackingApi.createAttachment with WebApi's default options.
 *
 *   node build/bench/bench/nodeApiLoop.js '{"collectionUrl":..., "project":..., "token":..., "folder":...}'
 */
import * as fs from 'fs';
import * as path from 'path';
import { WebApi, getBearerHandler } from 'azure-devops-node-api';

export interface NodeApiLoopJob {
    readonly collectionUrl: string;
    readonly project: string;
    readonly token: string;
    readonly folder: string;
}

async function uploadAll(job: NodeApiLoopJob): Promise<void> {
    const wit = await new WebApi(job.collectionUrl, getBearerHandler(job.token)).getWorkItemTrackingApi();
    for (const name of fs.readdirSync(job.folder).sort()) {
        const reference = await wit.createAttachment(null, fs.createReadStream(path.join(job.folder, name)), name, undefined, job.project);
        if (!reference?.url) {
            throw new Error(`createAttachment returned ${JSON.stringify(reference)} for ${name}`);
        }
    }
}

if (require.main === module) {
    uploadAll(JSON.parse(process.argv[2]) as NodeApiLoopJob).catch((error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 1;
    });
}
