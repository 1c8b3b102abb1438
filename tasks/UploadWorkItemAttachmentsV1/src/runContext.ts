import type { Localize } from '../../../engine/text/localize';
import type { RunLink } from '../../../engine/link/discussion';
import type { RunIdentity, RunWorkItemsScope } from '../../../engine/link/workItems';

export type ReadVariable = (name: string) => string | undefined;

/**
 * Which run this is: a classic release (System.HostType=release) or a build, with its ID; and what finds its earlier
 * runs: the pipeline and branch of a build, the release pipeline and stage of a release.
 */
export function runIdentity(variable: ReadVariable, scope: RunWorkItemsScope = 'thisRun'): RunIdentity {
    const number = (name: string) => {
        const value = Number(variable(name));
        return Number.isSafeInteger(value) && value > 0 ? value : undefined;
    };
    const hostType = (variable('System.HostType') ?? 'build').toLowerCase();
    return {
        hostType,
        buildId: number('Build.BuildId'),
        releaseId: number('Release.ReleaseId'),
        scope,
        definitionId: hostType === 'release' ? number('Release.DefinitionId') : number('System.DefinitionId'),
        sourceBranch: variable('Build.SourceBranch') || undefined,
        definitionEnvironmentId: number('Release.DefinitionEnvironmentId'),
    };
}

/** Where a Discussion entry links back to: the release's page, or the build's results page. */
export function runLink(variable: ReadVariable): RunLink {
    const run = runIdentity(variable);
    if (run.hostType === 'release') {
        return { url: variable('Release.ReleaseWebUrl') || undefined, text: `${variable('Release.DefinitionName') ?? '?'} ${variable('Release.ReleaseName') ?? '?'}` };
    }
    return { url: buildResultsUrl(variable, run) || undefined, text: `${variable('Build.DefinitionName') ?? '?'} ${variable('Build.BuildNumber') ?? '?'}` };
}

function buildResultsUrl(variable: ReadVariable, run: RunIdentity): string {
    const collection = variable('System.TeamFoundationCollectionUri') ?? '';
    const project = variable('System.TeamProject') ?? '';
    return run.buildId !== undefined ? `${collection}${encodeURIComponent(project)}/_build/results?buildId=${run.buildId}` : '';
}

/** The default relation comment: the pipeline, the run and a link back to it. */
export function describeRun(variable: ReadVariable, loc: Localize): string {
    const run = runIdentity(variable);
    if (run.hostType === 'release') {
        return loc('CommentRelease', variable('Release.DefinitionName') ?? '?', variable('Release.ReleaseName') ?? '?', variable('Release.ReleaseWebUrl') ?? '');
    }
    const link = buildResultsUrl(variable, run);
    return loc('CommentBuild', variable('Build.DefinitionName') ?? '?', variable('Build.BuildNumber') ?? '?', link);
}
