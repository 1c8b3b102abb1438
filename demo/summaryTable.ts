/** One cell of the summary table as a reader sees it: its text, and where it links to, if it does. */
export interface SummaryPart {
    readonly text: string;
    readonly link?: string;
}

export interface SummaryPage {
    readonly title: string;
    readonly columns: string[];
    /** Each cell is a list of parts: `[#12](...), [#13](...)` is two links and the ", " between them. */
    readonly rows: SummaryPart[][][];
    /** The bold heading and the list that follow the table, when work items failed. */
    readonly notes: string[];
}

/**
 * Reads the summary markdown the task writes (summary.ts) back into what the summary tab shows: escapes undone,
 * links split into text and target. It understands that markdown only, not markdown in general.
 */
export function readSummaryPage(markdown: string): SummaryPage {
    const lines = markdown.split('\n');
    const title = plainText((lines.find((line) => line.startsWith('### ')) ?? '').slice(4));
    const tableLines = lines.filter((line) => line.startsWith('| '));
    const [header, , ...body] = tableLines;
    const columns = splitRow(header ?? '').map((cell) => plainText(cell));
    const rows = body.map((line) => splitRow(line).map(parts));
    const afterTable = lines.slice(lines.lastIndexOf(tableLines[tableLines.length - 1]) + 1).filter((line) => line.trim() !== '');
    return { title, columns, rows, notes: afterTable.map((line) => plainText(line.replace(/^\*\*(.*)\*\*$/, '$1'))) };
}

/** The cells of `| a | b |`; an escaped `\|` stays inside its cell. */
function splitRow(line: string): string[] {
    const cells: string[] = [];
    let current = '';
    const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
    for (let index = 0; index < inner.length; index++) {
        if (inner[index] === '\\' && index + 1 < inner.length) {
            current += inner[index] + inner[index + 1];
            index++;
        } else if (inner[index] === '|') {
            cells.push(current.trim());
            current = '';
        } else {
            current += inner[index];
        }
    }
    cells.push(current.trim());
    return cells;
}

const LINK = /\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)/g;

function parts(cell: string): SummaryPart[] {
    const result: SummaryPart[] = [];
    let last = 0;
    for (const match of cell.matchAll(LINK)) {
        if (match.index > last) {
            result.push({ text: plainText(cell.slice(last, match.index)) });
        }
        result.push({ text: plainText(match[1]), link: match[2] });
        last = match.index + match[0].length;
    }
    if (last < cell.length || result.length === 0) {
        result.push({ text: plainText(cell.slice(last)) });
    }
    return result;
}

/** The text markdownText() escaped, as the page shows it. */
export function plainText(markdown: string): string {
    return markdown
        .replace(/\\(.)/g, '$1')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
}

export function cellText(cell: readonly SummaryPart[]): string {
    return cell.map((part) => part.text).join('');
}
