import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../scripts/package/project';
import { SUMMARY_PNG, SUMMARY_SVG, drawSummaryPicture } from '../../scripts/overview/summaryPicture';

const OVERVIEW = path.join(REPO_ROOT, 'overview.md');
/** The Marketplace page shows a code block without wrapping; at this width no line needs a scroll bar. */
const CODE_LINE_LIMIT = 80;

function codeLines(markdown: string): { line: number; text: string }[] {
    const lines: { line: number; text: string }[] = [];
    let inCode = false;
    markdown.split('\n').forEach((text, index) => {
        if (/^\s*```/.test(text)) {
            inCode = !inCode;
        } else if (inCode) {
            lines.push({ line: index + 1, text });
        }
    });
    return lines;
}

function pngSize(file: string): { width: number; height: number } {
    const png = fs.readFileSync(file);
    assert.equal(png.toString('latin1', 12, 16), 'IHDR', `${file} is not a PNG`);
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the Marketplace overview (overview.md)', function () {
    this.timeout(60_000);
    const overview = fs.readFileSync(OVERVIEW, 'utf8');

    it(`keeps every code line within ${CODE_LINE_LIMIT} characters, so none scrolls sideways`, () => {
        const long = codeLines(overview).filter(({ text }) => text.length > CODE_LINE_LIMIT);
        assert.deepEqual(long.map(({ line, text }) => `${line}: ${text.length} characters`), []);
    });

    it('lists the permissions the README lists, and the scopes a service connection token needs to read the run\'s work items', () => {
        for (const permission of ['View work items in this node', 'Edit work items in this node', 'View builds', 'View releases', 'Work Items (Read & write)', 'Build (Read)', 'Release (Read)']) {
            assert.ok(overview.includes(permission), permission);
        }
    });

    it('says nothing about servers older than Azure DevOps Server 2019, which the task does not support', () => {
        assert.doesNotMatch(overview, /TFS 20(1[0-8]|0\d)|Team Foundation Server 20/);
        assert.match(overview, /Azure DevOps Server 2019 or later/);
    });

    it('shows the summary picture, drawn from what the real task writes today', async () => {
        assert.match(overview, /!\[[^\]]+\]\(images\/summary\.png\)/);
        const drawn = await drawSummaryPicture();

        assert.equal(fs.readFileSync(SUMMARY_SVG, 'utf8'), drawn, 'images/summary.svg is out of date: run `npm run overview-picture` and look at images/summary.png');
        const svgWidth = Number(/<svg[^>]* width="(\d+)"/.exec(drawn)?.[1]);
        assert.equal(pngSize(SUMMARY_PNG).width, Math.round(svgWidth * 1.5), 'images/summary.png is rendered from images/summary.svg at 1.5x');
        for (const text of ['Work item attachments', 'chunked', '#1234', 'app bundle #2.zip']) {
            assert.ok(drawn.includes(text), text);
        }
    });
});
