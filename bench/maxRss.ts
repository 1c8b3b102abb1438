/**
 * Preloaded into a measured child with `NODE_OPTIONS=--require .../maxRss.js`: at exit it writes the process's peak
 * resident set size (KiB, from getrusage) to the file named by UWIA_BENCH_MAXRSS_FILE. Nothing else about the child changes.
 */
import * as fs from 'fs';

const target = process.env.UWIA_BENCH_MAXRSS_FILE;
if (target) {
    process.on('exit', () => fs.writeFileSync(target, String(process.resourceUsage().maxRSS)));
}
