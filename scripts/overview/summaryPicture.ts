import * as fs from 'fs';
import * as path from 'path';
import { runSample } from '../../demo/sampleRun';
import { readSummaryPage, type SummaryPage, type SummaryPart } from '../../demo/summaryTable';

/** This file compiles to build/scripts/overview/. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SUMMARY_SVG = path.join(REPO_ROOT, 'images', 'summary.svg');
export const SUMMARY_PNG = path.join(REPO_ROOT, 'images', 'summary.png');

const FONT = "'Segoe UI', 'DejaVu Sans', sans-serif";
const SIZE = 13;
/** DejaVu Sans, the font the picture is rendered with here, averages this much of the font size per character. */
const CHARACTER_WIDTH = 0.6 * SIZE;
const ROW_HEIGHT = 32;
const PADDING = 16;

/**
 * The run's summary tab as Azure DevOps shows the page the task writes: its title and table, drawn from the real
 * summary markdown (whose words come from task.json's messages), so the picture shows what the task really writes.
 */
export function summarySvg(page: SummaryPage): string {
    const widths = page.columns.map((column, index) =>
        Math.ceil(Math.max(textWidth(column), ...page.rows.map((row) => textWidth(row[index]?.map((part) => part.text).join('') ?? ''))) + 2 * PADDING),
    );
    const tableWidth = widths.reduce((sum, width) => sum + width, 0);
    const width = tableWidth + 2 * 24;
    const tableTop = 64;
    const height = tableTop + ROW_HEIGHT * (page.rows.length + 1) + 28;
    const columnX = widths.map((_, index) => 24 + widths.slice(0, index).reduce((sum, value) => sum + value, 0));
    const rightAligned = (index: number) => index === 1;

    const cellText = (parts: readonly SummaryPart[], index: number, y: number, bold = false) => {
        const anchor = rightAligned(index) ? `x="${columnX[index] + widths[index] - PADDING}" text-anchor="end"` : `x="${columnX[index] + PADDING}"`;
        const spans = parts.map((part) => (part.link ? `<tspan fill="#0062ad">${escape(part.text)}</tspan>` : `<tspan>${escape(part.text)}</tspan>`)).join('');
        return `<text ${anchor} y="${y}"${bold ? ' font-weight="600"' : ''}>${spans}</text>`;
    };
    const header = page.columns.map((column, index) => cellText([{ text: column }], index, tableTop + 21, true)).join('\n    ');
    const rows = page.rows
        .map((row, rowIndex) => {
            const top = tableTop + ROW_HEIGHT * (rowIndex + 1);
            const line = `<line x1="24" y1="${top}" x2="${24 + tableWidth}" y2="${top}" stroke="#eaeaea"/>`;
            return [line, ...row.map((parts, index) => cellText(parts, index, top + 21))].join('\n    ');
        })
        .join('\n    ');

    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${SIZE}" fill="#323130">
  <rect width="${width}" height="${height}" fill="#faf9f8"/>
  <rect x="8" y="8" width="${width - 16}" height="${height - 16}" rx="4" fill="#ffffff" stroke="#e1dfdd"/>
  <text x="24" y="44" font-size="16" font-weight="600">${escape(page.title)}</text>
  <g>
    <rect x="24" y="${tableTop}" width="${tableWidth}" height="${ROW_HEIGHT}" fill="#f3f2f1"/>
    ${header}
    ${rows}
  </g>
</svg>
`;
}

function textWidth(text: string): number {
    return text.length * CHARACTER_WIDTH;
}

function escape(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The picture's SVG from a fresh run of the real bundled task (`npm run build` first). */
export async function drawSummaryPicture(): Promise<string> {
    const sample = await runSample();
    try {
        if (sample.run.result !== 'Succeeded' || sample.summary === '') {
            throw new Error(`The sample run did not succeed: ${sample.run.result}\n${sample.run.stdout}`);
        }
        return summarySvg(readSummaryPage(sample.summary));
    } finally {
        await sample.dispose();
    }
}

async function main(): Promise<void> {
    const svg = await drawSummaryPicture();
    fs.writeFileSync(SUMMARY_SVG, svg);
    // A dev dependency, loaded only here: the tests compare the SVG, which needs no renderer.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
    const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    fs.writeFileSync(SUMMARY_PNG, png);
    console.log(`wrote ${path.relative(REPO_ROOT, SUMMARY_SVG)} and ${path.relative(REPO_ROOT, SUMMARY_PNG)} (${png.length} bytes)`);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    });
}
