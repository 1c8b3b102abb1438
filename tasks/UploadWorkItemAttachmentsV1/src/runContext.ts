import type { Localize } from '../../../engine/text/localize';
import type { RunIdentity } from '../../../engine/link/workItems';

export type ReadVariable = (name: string) => string | undefined;

/** Which run this is: a classic release (System.HostType=release) or a build, with its ID. */
export function runIdentity(variable: ReadVariable): RunIdentity {
    const number = (name: string) => {
        const value = Number(variable(name));
        return Number.isSafeInteger(value) && value > 0 ? value : undefined;
    };
    return { hostType: (variable('System.HostType') ?? 'build').toLowerCase(), buildId: number('Build.BuildId'), releaseId: number('Release.ReleaseId') };
}

/** The default relation comment: the pipeline, the run and a link back to it. */
export function describeRun(variable: ReadVariable, loc: Localize): string {
    const run = runIdentity(variable);
    if (run.hostType === 'release') {
        return loc('CommentRelease', variable('Release.DefinitionName') ?? '?', variable('Release.ReleaseName') ?? '?', variable('Release.ReleaseWebUrl') ?? '');
    }
    const collection = variable('System.TeamFoundationCollectionUri') ?? '';
    const project = variable('System.TeamProject') ?? '';
    const link = run.buildId !== undefined ? `${collection}${encodeURIComponent(project)}/_build/results?buildId=${run.buildId}` : '';
    return loc('CommentBuild', variable('Build.DefinitionName') ?? '?', variable('Build.BuildNumber') ?? '?', link);
}
