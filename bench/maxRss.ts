/**
 * Preloaded into a measured child with `NODE_OPTIONS=--require .../maxRss.js`: at exit it writes the process's peak
 * resident set size (KiB) and its CPU time (user and system, microseconds), all from getrusage, as JSON to the file
 * named by UWIA_BENCH_MAXRSS_FILE. Nothing else about the child changes.
 */
import * as fs from 'fs';

export interface ResourceFigures {
    readonly maxRssKiB: number;
    readonly cpuMicros: number;
}

const target = process.env.UWIA_BENCH_MAXRSS_FILE;
if (target) {
    process.on('exit', () => {
        const usage = process.resourceUsage();
        fs.writeFileSync(target, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime } satisfies ResourceFigures));
    });
}
